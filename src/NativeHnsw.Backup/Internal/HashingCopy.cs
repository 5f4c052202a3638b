using System.Security.Cryptography;

namespace NativeHnsw.Backup.Internal;

/// <summary>Copies a stream while hashing it, so a file is read once to store it and checksum it.</summary>
internal static class HashingCopy
{
    private const int BufferBytes = 1 << 20;

    /// <returns>Bytes copied and their SHA-256 (lowercase hex).</returns>
    public static (long Length, string Sha256) Copy(Stream source, Stream? destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
        long total = 0;
        try
        {
            int n;
            while ((n = source.Read(buffer, 0, BufferBytes)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, n);
                destination?.Write(buffer, 0, n);
                total += n;
                progress?.Report(total);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

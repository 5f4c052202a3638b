using System.Security.Cryptography;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Copies one backup from one target to another through <see cref="IBackupTarget"/> alone: each file streamed from
/// the source and checked against the manifest on the way, the same manifest committed on the destination (so the
/// copy becomes visible whole or not at all), then every file read back from the destination and its SHA-256 checked
/// again. A chunked file is copied chunk by chunk (only the chunks the destination does not hold yet, each checked
/// against its key) and read back through its chunks (<see cref="BackupFiles.Read"/>). A copy that fails the
/// read-back is deleted from the destination; chunks it stored stay until a prune collects them.
/// </summary>
internal static class BackupCopier
{
    /// <returns>Bytes written to the destination (chunks it already held are not sent again, so not counted).</returns>
    /// <exception cref="BackupException">A read, write or check failed; the destination holds no copy.</exception>
    public static long Copy(IBackupTarget from, IBackupTarget to, BackupManifest manifest, CancellationToken cancellationToken)
    {
        long bytes;
        using (var writer = to.Begin(manifest.Id))
        {
            foreach (var file in manifest.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (file.Chunks is not null)
                {
                    writer.CopyChunked(file, from.Chunks);
                    continue;
                }
                BackupFileEntry written;
                using (var source = from.OpenRead(manifest.Id, file.Name))
                    written = writer.Write(file.Name, file.Role, source);
                if (written.Length != file.Length || written.Sha256 != file.Sha256)
                {
                    throw new BackupIntegrityException(manifest.Id, $"file '{file.Name}' read from {from.Description} does not match its manifest "
                        + $"({written.Length} bytes, SHA-256 {written.Sha256[..16]}…; the manifest says {file.Length} bytes, {file.Sha256[..16]}…): the source copy is damaged; not copied");
                }
            }
            bytes = writer.StoredBytes;
            writer.Commit(manifest);
        }
        try
        {
            Verify(to, manifest, cancellationToken);
        }
        catch (BackupException)
        {
            to.Delete(manifest.Id);
            throw;
        }
        return bytes;
    }

    /// <summary>Reads every file of <paramref name="manifest"/> back from <paramref name="target"/> and checks its length and SHA-256 (a chunked file: each chunk against its key too).</summary>
    /// <exception cref="BackupException">The first file that is missing or fails its check.</exception>
    public static void Verify(IBackupTarget target, BackupManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var file in manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Chunks is not null)
            {
                BackupFiles.Read(target, manifest, file);
                continue;
            }
            using var stream = target.OpenRead(manifest.Id, file.Name);
            using var counted = new CountingStream(stream);
            string sha = Convert.ToHexStringLower(SHA256.HashData(counted));
            if (counted.Count != file.Length || sha != file.Sha256)
                throw new BackupIntegrityException(manifest.Id, $"file '{file.Name}' in {target.Description} fails its check ({counted.Count} bytes, SHA-256 {sha[..16]}…; the manifest says {file.Length} bytes, {file.Sha256[..16]}…): damaged");
        }
    }
}

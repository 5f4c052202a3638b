using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NativeHnsw.Backup;

/// <summary>
/// The index object of a pack: magic <c>NHPI</c>, version (u32 LE, 1), chunk count (i32 LE), the pack data's length
/// (i64 LE), then per chunk its key (32 bytes), the offset of its frame in the data (i64 LE) and the frame's length
/// (i32 LE), then the SHA-256 of everything before it. An index that fails that check lists no chunk: the backups that
/// reference them show as damaged, and a prune leaves the pack alone (it cannot tell what the pack holds).
/// </summary>
internal static class PackIndex
{
    /// <summary>Bytes per chunk in an index.</summary>
    public const int EntryBytes = 32 + 8 + 4;

    private const int HeadBytes = 4 + 4 + 4 + 8;
    private const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "NHPI"u8;

    /// <summary>Bytes of the index of a pack of <paramref name="count"/> chunks.</summary>
    public static int Bytes(int count) => HeadBytes + count * EntryBytes + 32;

    public static byte[] Encode(long dataLength, IReadOnlyList<PackedChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        byte[] index = new byte[Bytes(chunks.Count)];
        var span = index.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], chunks.Count);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], dataLength);
        int at = HeadBytes;
        foreach (var chunk in chunks)
        {
            Convert.FromHexString(ChunkKeys.Check(chunk.Sha256), span.Slice(at, 32), out _, out _);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 32)..], chunk.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 40)..], chunk.StoredLength);
            at += EntryBytes;
        }
        SHA256.HashData(span[..at], span[at..]);
        return index;
    }

    /// <summary>Reads the index of pack <paramref name="name"/>; null when it is damaged (wrong magic, version, length, checksum or an entry outside the data).</summary>
    public static ChunkPack? TryDecode(string name, ReadOnlySpan<byte> index)
    {
        if (index.Length < Bytes(0) || !index[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(index[4..]) != Version)
            return null;
        int count = BinaryPrimitives.ReadInt32LittleEndian(index[8..]);
        long dataLength = BinaryPrimitives.ReadInt64LittleEndian(index[12..]);
        if (count < 0 || count > (index.Length - Bytes(0)) / EntryBytes || index.Length != Bytes(count) || dataLength < 0)
            return null;
        Span<byte> hash = stackalloc byte[32];
        int end = index.Length - 32;
        SHA256.HashData(index[..end], hash);
        if (!hash.SequenceEqual(index[end..]))
            return null;
        var chunks = new PackedChunk[count];
        for (int i = 0, at = HeadBytes; i < count; i++, at += EntryBytes)
        {
            long offset = BinaryPrimitives.ReadInt64LittleEndian(index[(at + 32)..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(index[(at + 40)..]);
            if (offset < 0 || length < ChunkCodec.HeaderBytes || offset > dataLength - length)
                return null;
            chunks[i] = new PackedChunk(Convert.ToHexStringLower(index.Slice(at, 32)), offset, length);
        }
        return new ChunkPack(name, dataLength, chunks);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using ZstdSharp;

namespace NativeHnsw.Backup;

/// <summary>
/// The frame of a stored chunk: magic <c>NHCK</c>, a codec byte (0 stored as is, 1 Zstandard), three zero bytes, the
/// uncompressed length (i32 LE), then the payload. The key is the SHA-256 of the uncompressed bytes, so a chunk is
/// checked after decoding, whatever codec the backup that stored it chose.
/// </summary>
public static class ChunkCodec
{
    public const int HeaderBytes = 12;

    private const byte Raw = 0;
    private const byte Zstd = 1;

    /// <summary>Zstandard level 3 (its default): on our measurements higher levels gain a few per cent for several times the time.</summary>
    private const int ZstdLevel = 3;

    // A Zstandard context costs megabytes to set up: one per thread, reused for every chunk.
    [ThreadStatic]
    private static Compressor? s_compressor;

    [ThreadStatic]
    private static Decompressor? s_decompressor;

    private static ReadOnlySpan<byte> Magic => "NHCK"u8;

    /// <summary>The SHA-256 key of a chunk's uncompressed bytes.</summary>
    public static string Key(ReadOnlySpan<byte> chunk) => Convert.ToHexStringLower(SHA256.HashData(chunk));

    /// <summary>
    /// Frames a chunk; with <paramref name="compress"/>, Zstandard-compressed when that saves at least 3 % (else as is,
    /// so a chunk that does not compress costs no decompression at restore).
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> chunk, bool compress) => Encode(chunk, compress ? chunk.Length - chunk.Length / 32 : 0);

    /// <summary>
    /// Frames a chunk of a file of <paramref name="kind"/>; with <paramref name="compress"/>, compressed when that
    /// saves what pays for the kind (<see cref="ChunkLayout.CompressedBelow"/>).
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> chunk, ChunkedFileKind kind, bool compress) =>
        Encode(chunk, compress ? ChunkLayout.CompressedBelow(kind, chunk.Length) : 0);

    /// <param name="keepBelow">Kept compressed only when that takes fewer bytes than this; 0: stored as is, not tried.</param>
    private static byte[] Encode(ReadOnlySpan<byte> chunk, int keepBelow)
    {
        if (keepBelow > 0)
        {
            var packed = (s_compressor ??= new Compressor(ZstdLevel)).Wrap(chunk);
            if (packed.Length < keepBelow)
                return Frame(Zstd, chunk.Length, packed);
        }
        return Frame(Raw, chunk.Length, chunk);
    }

    /// <summary>Decodes a framed chunk into <paramref name="destination"/> (exactly the chunk's length) and checks it against its key.</summary>
    /// <returns>Null when the chunk is whole; else what is wrong with it, in words.</returns>
    public static string? TryDecode(ReadOnlySpan<byte> framed, string sha256, Span<byte> destination)
    {
        if (CheckHeader(framed, destination.Length) is { } damaged)
            return damaged;
        int length = destination.Length;
        var payload = framed[HeaderBytes..];
        switch (framed[4])
        {
            case Raw:
                if (payload.Length != length)
                    return $"it holds {payload.Length} bytes, its frame says {length}";
                payload.CopyTo(destination);
                break;
            case Zstd:
                try
                {
                    if ((s_decompressor ??= new Decompressor()).Unwrap(payload, destination) != length)
                        return "it decompresses to fewer bytes than its frame says";
                }
                catch (ZstdException e)
                {
                    return "it does not decompress: " + e.Message;
                }
                break;
            default:
                return $"its frame names an unknown codec {framed[4]}";
        }
        return CheckKey(destination, sha256);
    }

    /// <summary>
    /// Checks a frame stored as is where it lies (its payload, at <see cref="HeaderBytes"/>, is the chunk: a restore
    /// uses it without a copy); <paramref name="raw"/> false, and null returned, for a compressed frame, which needs
    /// <see cref="TryDecode"/>.
    /// </summary>
    internal static string? TryCheckRaw(ReadOnlySpan<byte> framed, string sha256, int length, out bool raw)
    {
        raw = false;
        if (CheckHeader(framed, length) is { } damaged)
            return damaged;
        if (framed[4] != Raw)
            return null;
        raw = true;
        var payload = framed[HeaderBytes..];
        if (payload.Length != length)
            return $"it holds {payload.Length} bytes, its frame says {length}";
        return CheckKey(payload, sha256);
    }

    private static string? CheckKey(ReadOnlySpan<byte> chunk, string sha256)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(chunk, hash);
        return Convert.ToHexStringLower(hash) == sha256 ? null : "its bytes fail their SHA-256 check (tampered with or damaged)";
    }

    private static string? CheckHeader(ReadOnlySpan<byte> framed, int length)
    {
        if (framed.Length < HeaderBytes || !framed[..4].SequenceEqual(Magic) || framed[5] != 0 || framed[6] != 0 || framed[7] != 0)
            return "its frame is damaged (not a NativeHnsw chunk)";
        int stated = BinaryPrimitives.ReadInt32LittleEndian(framed[8..]);
        return stated == length ? null : $"its frame says {stated} bytes, the manifest {length}";
    }

    private static byte[] Frame(byte codec, int length, ReadOnlySpan<byte> payload)
    {
        byte[] framed = new byte[HeaderBytes + payload.Length];
        Magic.CopyTo(framed);
        framed[4] = codec;
        BinaryPrimitives.WriteInt32LittleEndian(framed.AsSpan(8), length);
        payload.CopyTo(framed.AsSpan(HeaderBytes));
        return framed;
    }
}

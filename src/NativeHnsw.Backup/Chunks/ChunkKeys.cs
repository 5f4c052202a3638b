namespace NativeHnsw.Backup;

/// <summary>Chunk keys: SHA-256 in 64 lowercase hex digits, the only names a chunk store reads or writes.</summary>
internal static class ChunkKeys
{
    private static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static bool IsKey(string? name) => name is { Length: 64 } && name.AsSpan().IndexOfAnyExcept(s_hex) < 0;

    public static string Check(string key) =>
        IsKey(key) ? key : throw new ArgumentException($"'{key}' is not a chunk key (64 lowercase hex digits).", nameof(key));
}

namespace NativeHnsw.Backup;

/// <summary>One file of a backup, as its manifest records it.</summary>
/// <param name="Name">The file's name inside the backup (no folders).</param>
/// <param name="Role">What it holds: <c>index</c> (an index file), <c>database</c> and <c>collection-index</c> (a store's), <c>delta</c> (an incremental's changes), <c>state</c> (what the next incremental diffs against).</param>
/// <param name="Length">Bytes.</param>
/// <param name="Sha256">SHA-256 of the bytes, lowercase hex.</param>
public sealed record BackupFileEntry(string Name, string Role, long Length, string Sha256)
{
    /// <summary>
    /// For a file stored in the target's chunk store (manifest format 2), its chunks in order; null for a file stored
    /// whole beside the manifest.
    /// </summary>
    public IReadOnlyList<ChunkRef>? Chunks { get; init; }

    public bool Equals(BackupFileEntry? other) =>
        other is not null && Name == other.Name && Role == other.Role && Length == other.Length && Sha256 == other.Sha256
        && (Chunks is null ? other.Chunks is null : other.Chunks is not null && Chunks.SequenceEqual(other.Chunks));

    public override int GetHashCode() => HashCode.Combine(Name, Role, Length, Sha256, Chunks?.Count);
}

namespace NativeHnsw.Backup;

/// <summary>What a prune's garbage collection kept and deleted (on a dry run: would delete), or why it deleted nothing; the bytes deleted include the <see cref="OrphanPacks"/> and <see cref="TemporaryFiles"/>.</summary>
/// <param name="Skipped">Null when the collection ran; else why it deleted nothing (a backup running, unreadable manifests).</param>
public sealed record ChunkSweep(int Kept, long KeptBytes, int Deleted, long DeletedBytes, string? Skipped)
{
    /// <summary>Packs' data deleted (would be, on a dry run) because its index was never written or already deleted: a writer or a prune killed midway left it.</summary>
    public int OrphanPacks { get; init; }

    /// <summary>Temporary files deleted (would be, on a dry run) from a local target's chunk folders: a writer killed before renaming one into place left it. Their bytes are in <see cref="DeletedBytes"/>.</summary>
    public int TemporaryFiles { get; init; }
}

namespace NativeHnsw.Backup;

/// <summary>What a prune's garbage collection kept and deleted (on a dry run: would delete), or why it deleted nothing.</summary>
/// <param name="Skipped">Null when the collection ran; else why it deleted nothing (a backup running, unreadable manifests).</param>
public sealed record ChunkSweep(int Kept, long KeptBytes, int Deleted, long DeletedBytes, string? Skipped);

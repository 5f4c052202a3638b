namespace NativeHnsw.Backup;

/// <summary>
/// What a prune planned, what it deleted (nothing on a dry run), the backups it could not read and so left alone, and
/// the leftovers of dead writers it swept (on a dry run: would sweep), and the chunks no kept backup references that it deleted.
/// </summary>
public sealed record PruneReport(RetentionPlan Plan, IReadOnlyList<string> Deleted, IReadOnlyList<BackupException> Unreadable, IReadOnlyList<string> Swept)
{
    /// <summary>The garbage collection of the target's chunk store (<see cref="ChunkCollector"/>).</summary>
    public ChunkSweep Chunks { get; init; } = new(0, 0, 0, 0, null);
}

namespace NativeHnsw.Backup;

/// <summary>
/// What a prune planned, what it deleted (nothing on a dry run), the backups it could not read and so left alone, and
/// the leftovers of dead writers it swept (on a dry run: would sweep).
/// </summary>
public sealed record PruneReport(RetentionPlan Plan, IReadOnlyList<string> Deleted, IReadOnlyList<BackupException> Unreadable, IReadOnlyList<string> Swept);

namespace NativeHnsw.Backup;

/// <summary>What a prune planned, what it deleted (nothing on a dry run), and the backups it could not read and so left alone.</summary>
public sealed record PruneReport(RetentionPlan Plan, IReadOnlyList<string> Deleted, IReadOnlyList<BackupException> Unreadable);

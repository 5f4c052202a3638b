namespace NativeHnsw.Backup;

/// <summary>The outcome of <see cref="Retention.Plan"/>: every backup is in exactly one list, each oldest first.</summary>
public sealed record RetentionPlan(IReadOnlyList<RetainedBackup> Kept, IReadOnlyList<BackupInfo> Pruned);

namespace NativeHnsw.Backup;

/// <summary>A backup retention keeps, and why: <c>daily 2025-03-14</c>, <c>weekly 2025-W11</c>, <c>monthly 2025-03</c>, <c>parent of ID</c>.</summary>
public sealed record RetainedBackup(BackupInfo Backup, IReadOnlyList<string> Reasons);

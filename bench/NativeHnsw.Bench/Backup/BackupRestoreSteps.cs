namespace NativeHnsw.Bench.Backup;

/// <summary>One restore arm of a backup-mode run: its median seconds and the median of each step its reports name.</summary>
public sealed record BackupRestoreSteps(string Name, double Seconds, IReadOnlyList<BackupStepTime> Steps);

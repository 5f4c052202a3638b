namespace NativeHnsw.Backup.Hosting;

/// <summary>The copy a restore takes (<see cref="Target"/> names where it is), and the newer or nearer ones it skipped.</summary>
public sealed record HealthyChoice(BackupManifest Backup, string Target, IReadOnlyList<SkippedCopy> Skipped);

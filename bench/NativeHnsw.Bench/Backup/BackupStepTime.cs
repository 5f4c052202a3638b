namespace NativeHnsw.Bench.Backup;

/// <summary>A restore step's median time over the runs, and its parts' (worker-thread parts summed over the threads).</summary>
public sealed record BackupStepTime(string Name, double Milliseconds, IReadOnlyList<BackupStepTime>? Parts);

namespace NativeHnsw.Backup;

/// <summary>What a restore (or a drill) did: the backup, the chain replayed, each step with its time, and whether the live data was switched.</summary>
public sealed record RestoreReport(BackupManifest Backup, IReadOnlyList<string> Chain, string TargetPath, bool DryRun, bool Switched, IReadOnlyList<RestoreStep> Steps)
{
    /// <summary>Wall time of all steps: the recovery time this backup gives.</summary>
    public TimeSpan Total => TimeSpan.FromTicks(Steps.Sum(s => s.Elapsed.Ticks));
}

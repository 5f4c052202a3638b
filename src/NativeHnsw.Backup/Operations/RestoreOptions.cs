namespace NativeHnsw.Backup;

/// <summary>How a restore runs.</summary>
public sealed record RestoreOptions
{
    /// <summary>Run every check, then discard the restored copy instead of switching to it.</summary>
    public bool DryRun { get; init; }

    public IProgress<BackupProgress>? Progress { get; init; }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>The scheduler's record of one source: its newest good backup, last drill and last scrub.</summary>
public sealed record SourceState
{
    public string? NewestBackupId { get; init; }

    /// <summary>The newest good backup's own time; now minus this is the recovery point (RPO) right now.</summary>
    public DateTimeOffset? NewestBackupUtc { get; init; }

    public DateTimeOffset? LastDrillUtc { get; init; }

    public bool? LastDrillPassed { get; init; }

    /// <summary>How long the last drill's restore took: the recovery time it measured.</summary>
    public TimeSpan? LastDrillRto { get; init; }

    public string? LastDrillMessage { get; init; }

    public DateTimeOffset? LastScrubUtc { get; init; }

    public int? LastScrubFailures { get; init; }
}

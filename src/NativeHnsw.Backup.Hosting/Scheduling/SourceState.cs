using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>The scheduler's record of one source: its newest good backup, last drill and last scrub.</summary>
public sealed record SourceState
{
    public string? NewestBackupId { get; init; }

    /// <summary>The newest good backup's own time.</summary>
    public DateTimeOffset? NewestBackupUtc { get; init; }

    /// <summary>
    /// The start of the last incremental run that found the source unchanged since its newest good backup (so skipped
    /// it): that backup holds the source as of then. Null until such a run.
    /// </summary>
    public DateTimeOffset? UnchangedAtUtc { get; init; }

    /// <summary>
    /// The instant up to which the newest good backup is known to hold the source: its own time, or a later run that
    /// found the source unchanged since. Now minus this is the recovery point (RPO) right now: the data a loss now would
    /// cost. Null before any backup.
    /// </summary>
    [JsonIgnore]
    public DateTimeOffset? RecoveryPointUtc => NewestBackupUtc is { } t ? (UnchangedAtUtc is { } u && u > t ? u : t) : null;

    public DateTimeOffset? LastDrillUtc { get; init; }

    public bool? LastDrillPassed { get; init; }

    /// <summary>How long the last drill's restore took: the recovery time it measured.</summary>
    public TimeSpan? LastDrillRto { get; init; }

    public string? LastDrillMessage { get; init; }

    public DateTimeOffset? LastScrubUtc { get; init; }

    public int? LastScrubFailures { get; init; }
}

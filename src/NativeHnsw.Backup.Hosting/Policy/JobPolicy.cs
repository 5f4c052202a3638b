namespace NativeHnsw.Backup.Hosting;

/// <summary>A job on a cron schedule in a named time zone.</summary>
public sealed record JobPolicy
{
    /// <summary>Unique within the policy; the scheduler's state and metrics name jobs by it.</summary>
    public string Name { get; init; } = "";

    public JobType Type { get; init; }

    /// <summary>Five-field cron (minute hour day-of-month month day-of-week), or six with seconds first.</summary>
    public string Cron { get; init; } = "";

    /// <summary>IANA or Windows time-zone id the cron is read in; null: the policy's <see cref="BackupPolicy.TimeZone"/>.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The sources the job covers; empty: all of them.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>For an offsite job, where copies go (default: <see cref="BackupPolicy.Offsite"/>); for a snapshot or incremental, overrides each source's target.</summary>
    public string? Target { get; init; }

    public bool Equals(JobPolicy? other) =>
        other is not null && Name == other.Name && Type == other.Type && Cron == other.Cron && TimeZone == other.TimeZone
        && Sources.SequenceEqual(other.Sources) && Target == other.Target;

    public override int GetHashCode() => HashCode.Combine(Name, Type, Cron, TimeZone, Sources.Count, Target);
}

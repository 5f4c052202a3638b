using Cronos;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// When one job is due: its cron read in its time zone (Cronos handles DST: a time skipped by the spring change runs
/// at the jump, a repeated one runs once). All instants are UTC; only the cron is read in local time.
/// </summary>
public sealed class JobSchedule
{
    private readonly CronExpression _cron;

    public JobSchedule(JobPolicy job, string defaultTimeZone)
    {
        ArgumentNullException.ThrowIfNull(job);
        Job = job;
        _cron = PolicyValidator.ParseCron(job.Cron);
        string zoneId = job.TimeZone ?? defaultTimeZone;
        if (!PolicyValidator.TryTimeZone(zoneId, out var zone))
            throw new PolicyException(null, "$.jobs", $"job '{job.Name}': '{zoneId}' is not a known time zone");
        TimeZone = zone;
    }

    public JobPolicy Job { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when the cron never fires again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _cron.GetNextOccurrence(after.ToUniversalTime(), TimeZone, inclusive: false)?.ToUniversalTime();

    /// <summary>
    /// The newest slot in (<paramref name="after"/>, <paramref name="now"/>]: the one a run at <paramref name="now"/>
    /// stands for. Every slot missed before it is folded into this one run.
    /// </summary>
    public DateTimeOffset? LatestSlot(DateTimeOffset after, DateTimeOffset now)
    {
        DateTimeOffset? latest = null;
        var cursor = after;
        // Walk forward from the last slot; a long downtime of a per-minute job is a few hundred thousand steps at worst,
        // and happens once per start.
        while (NextAfter(cursor) is { } next && next <= now)
        {
            latest = next;
            cursor = next;
        }
        return latest;
    }
}

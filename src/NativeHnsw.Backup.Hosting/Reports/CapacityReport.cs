namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The capacity and cost report of a policy (<c>nhnsw report</c>, and the report job): per target its bytes, backups,
/// growth per day, days to quota and monthly cost; per source its RPO and last RTO against the policy's objectives.
/// </summary>
public sealed record CapacityReport(DateTimeOffset Utc, IReadOnlyList<TargetCapacity> Targets, IReadOnlyList<SourceObjectives> Sources)
{
    /// <summary>The span growth is measured over.</summary>
    public static readonly TimeSpan GrowthWindow = TimeSpan.FromDays(30);

    private const double BytesPerGb = 1e9;

    public double TotalMonthlyCost => Targets.Sum(t => t.MonthlyCost ?? 0);

    /// <summary>False when a source misses its RPO or its last drill failed.</summary>
    public bool Ok => Sources.All(s => s.RpoMet != false && s.RtoMet != false);

    /// <summary>Measures every target of <paramref name="policy"/> (reading each one's history; writing nothing).</summary>
    /// <param name="state">The scheduler's state, for the last drill of each source; null: none known.</param>
    /// <exception cref="BackupException">A target cannot be listed.</exception>
    public static CapacityReport Build(BackupPolicy policy, DateTimeOffset now, SchedulerState? state = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        return Build(policy, targets, now, state);
    }

    internal static CapacityReport Build(BackupPolicy policy, PolicyTargets targets, DateTimeOffset now, SchedulerState? state)
    {
        var rows = new List<TargetCapacity>();
        foreach (var t in policy.Targets)
        {
            var opened = targets[t.Name];
            var current = CapacityHistory.Measure(opened, now);
            var history = CapacityHistory.Read(opened).Where(s => s.Utc < now).Append(current).ToList();
            double? growth = Growth(history, now);
            long? quota = t.QuotaGb is { } q ? (long)(q * BytesPerGb) : null;
            double? daysToQuota = quota is { } limit && growth is > 0 ? Math.Max(0, limit - current.Bytes) / growth.Value : null;
            rows.Add(new TargetCapacity(t.Name, t.Tier, current.Backups, current.Bytes, growth, quota, daysToQuota,
                t.PricePerGbMonth is { } price ? current.Bytes / BytesPerGb * price : null, history));
        }
        var sources = new List<SourceObjectives>();
        foreach (var s in policy.Sources)
        {
            DateTimeOffset? newest = null;
            string? problem = null;
            try
            {
                newest = BackupJobExecutor.ChooseHealthy(policy, targets, s, BackupSelector.Latest).Backup.CreatedUtc;
            }
            catch (BackupException e)
            {
                problem = e is BackupNotFoundException ? "no backup in any target" : e.Message;
            }
            TimeSpan? rpo = newest is { } n ? now - n : null;
            bool? rpoMet = s.Rpo is { } limit ? rpo is { } age && age <= limit : null;
            var st = state?.Sources.GetValueOrDefault(s.Name);
            bool? rtoMet = st?.LastDrillUtc is null ? null
                : st.LastDrillPassed != true ? false
                : s.Rto is { } rtoLimit ? st.LastDrillRto <= rtoLimit : null;
            sources.Add(new SourceObjectives(s.Name, newest, rpo, s.Rpo, rpoMet, st?.LastDrillUtc, st?.LastDrillPassed, st?.LastDrillRto, s.Rto, rtoMet, problem));
        }
        return new CapacityReport(now, rows, sources);
    }

    /// <summary>
    /// Bytes per tier over time, for a chart: at each instant any target of the tier was sampled, the sum over the
    /// tier's targets of each one's latest sample at or before it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Utc, long Bytes)>> BytesPerTier()
    {
        var result = new Dictionary<string, IReadOnlyList<(DateTimeOffset, long)>>(StringComparer.Ordinal);
        foreach (var tier in Targets.GroupBy(t => t.Tier, StringComparer.Ordinal))
        {
            var instants = tier.SelectMany(t => t.History.Select(s => s.Utc)).Distinct().Order().ToList();
            result[tier.Key] = [.. instants.Select(at => (at, tier.Sum(t => t.History.LastOrDefault(s => s.Utc <= at)?.Bytes ?? 0)))];
        }
        return result;
    }

    /// <summary>
    /// Bytes per day from the sample that starts the window (the newest at or before 30 days ago, else the oldest) to
    /// now; null when that spans under a day.
    /// </summary>
    private static double? Growth(List<CapacitySample> history, DateTimeOffset now)
    {
        var first = history.LastOrDefault(s => s.Utc <= now - GrowthWindow) ?? history[0];
        double days = (now - first.Utc).TotalDays;
        return days < 1 ? null : (history[^1].Bytes - first.Bytes) / days;
    }
}

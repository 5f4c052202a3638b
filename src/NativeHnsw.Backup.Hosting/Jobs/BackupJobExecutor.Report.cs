using System.Globalization;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// The capacity report (<see cref="CapacityReport"/>), logged line by line: what each target stores and costs per
    /// month, its growth and days to quota. Fails when a source misses its RPO.
    /// </summary>
    private JobRunResult Report(BackupPolicy policy, PolicyTargets targets)
    {
        var report = CapacityReport.Build(policy, targets, _time.GetUtcNow(), null);
        var parts = new List<string>();
        foreach (var row in report.Targets)
        {
            _logger.LogTargetCost(row.Target, row.Tier, row.Backups, Gb(row.Bytes), row.MonthlyCost is { } cost ? CostText.Format(cost) : "no price");
            parts.Add($"{row.Target}: {row.Backups} backups, {Gb(row.Bytes)}"
                + (row.GrowthBytesPerDay is { } g ? $", {Gb(g)}/day" : "")
                + (row.DaysToQuota is { } d ? $", quota in {d.ToString("0", CultureInfo.InvariantCulture)} days" : ""));
        }
        var missed = report.Sources.Where(s => s.RpoMet == false).Select(s => $"{s.Source} misses its RPO: the newest good backup is {s.Rpo?.ToString() ?? "none"} old, the objective {s.RpoTarget}").ToList();
        string summary = string.Join("; ", parts.Concat(missed)) + $"; {CostText.Total(report.Targets.Select(t => t.MonthlyCost))} per month in all";
        return new JobRunResult(missed.Count == 0 ? JobOutcome.Succeeded : JobOutcome.Failed, summary, []);
    }

    /// <summary>One row per target: its tier, backups, bytes and monthly cost (null without a price).</summary>
    public static IReadOnlyList<TargetCost> CostReport(BackupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        return CostReport(policy, targets);
    }

    /// <summary>For each source and tier, the newest backup whose manifest reads (what <c>nhnsw schedule status</c> shows).</summary>
    public static IReadOnlyList<TierBackup> NewestByTier(BackupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        var catalog = PolicyCatalog.Load(policy, targets);
        var tierOf = policy.Targets.ToDictionary(t => t.Name, t => t.Tier, StringComparer.Ordinal);
        return [.. catalog.Entries
            .Where(e => e.SourceName is not null)
            .GroupBy(e => (e.SourceName!, tierOf[e.TargetName]))
            .Select(g => g.MaxBy(e => (e.Manifest.CreatedUtc, e.Manifest.Id))!)
            .Select(e => new TierBackup(e.SourceName!, tierOf[e.TargetName], e.TargetName, e.Manifest.Id, e.Manifest.CreatedUtc, e.Manifest.Kind == BackupKind.Incremental))
            .OrderBy(b => b.Source, StringComparer.Ordinal).ThenBy(b => b.Tier, StringComparer.Ordinal)];
    }

    private static List<TargetCost> CostReport(BackupPolicy policy, PolicyTargets targets)
    {
        var rows = new List<TargetCost>();
        foreach (var t in policy.Targets)
        {
            var catalog = BackupCatalog.Load(targets[t.Name]);
            long bytes = PolicyCatalog.StoredBytes(targets[t.Name], catalog.Backups);
            rows.Add(new TargetCost(t.Name, t.Tier, catalog.Backups.Count, bytes, t.PricePerGbMonth is { } p ? bytes / BytesPerGb * p : null));
        }
        return rows;
    }
}

using System.Globalization;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>What each target stores and costs per month (its bytes × its price per GB-month), logged line by line.</summary>
    private JobRunResult Report(BackupPolicy policy, PolicyTargets targets)
    {
        double total = 0;
        var parts = new List<string>();
        foreach (var rows in CostReport(policy, targets))
        {
            _logger.LogTargetCost(rows.Target, rows.Tier, rows.Backups, Gb(rows.Bytes), rows.MonthlyCost?.ToString("0.00", CultureInfo.InvariantCulture) ?? "no price");
            total += rows.MonthlyCost ?? 0;
            parts.Add($"{rows.Target}: {rows.Backups} backups, {Gb(rows.Bytes)}");
        }
        return new JobRunResult(JobOutcome.Succeeded, string.Join("; ", parts) + $"; {total.ToString("0.00", CultureInfo.InvariantCulture)} per month in all", []);
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
            long bytes = catalog.Backups.Sum(m => m.Files.Sum(f => f.Length));
            rows.Add(new TargetCost(t.Name, t.Tier, catalog.Backups.Count, bytes, t.PricePerGbMonth is { } p ? bytes / BytesPerGb * p : null));
        }
        return rows;
    }
}

namespace NativeHnsw.Backup;

/// <summary>Applies <see cref="Retention.Plan"/> to a target, and sweeps what dead writers left there.</summary>
public static class BackupPruner
{
    /// <summary>How long nothing must have been written to a leftover (a staging folder, an upload without manifest) before a prune removes it.</summary>
    public static readonly TimeSpan DefaultLeftoverAge = TimeSpan.FromHours(24);

    /// <summary>
    /// Plans over the target's readable backups, each source (index file or store folder) as its own series, and, unless <paramref name="dryRun"/>, deletes the pruned ones,
    /// newest first (so a crash midway never leaves a listed incremental whose parent is gone before it). A backup
    /// whose manifest cannot be read is never deleted: it is reported in the catalog's problems instead. Then sweeps
    /// the leftovers of writers and deletions that never finished (<see cref="IBackupTarget.SweepLeftovers"/>) in
    /// which nothing was written for <paramref name="leftoverAge"/> (default <see cref="DefaultLeftoverAge"/>), so a
    /// backup being written meanwhile keeps its files. Last, deletes the chunks no remaining backup references
    /// (<see cref="ChunkCollector"/>, safe beside a running backup).
    /// </summary>
    /// <param name="time">The clock leftovers are aged by; default the system's.</param>
    public static PruneReport Prune(IBackupTarget target, RetentionPolicy policy, bool dryRun, TimeSpan? leftoverAge = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(policy);
        var age = leftoverAge ?? DefaultLeftoverAge;
        ArgumentOutOfRangeException.ThrowIfLessThan(age, TimeSpan.Zero, nameof(leftoverAge));
        var catalog = BackupCatalog.Load(target);
        var plan = PlanPerSource(catalog.Backups, policy);
        var deleted = new List<string>();
        if (!dryRun)
        {
            foreach (var b in plan.Pruned.Reverse())
            {
                target.Delete(b.Id);
                deleted.Add(b.Id);
            }
        }
        var now = (time ?? TimeProvider.System).GetUtcNow();
        // What writers provably done left (under a lease that is over, or by a process that is gone) goes whatever its
        // age; the rest once nothing was written to it for the leftover age.
        IReadOnlyList<string> swept = [.. target.SweepAbandoned(WriterLease.For(target.Description), dryRun).Concat(target.SweepLeftovers(age, now, dryRun)).Distinct(StringComparer.Ordinal)];
        // On a dry run the pruned backups are still there, so what the collection would find is counted as if they were gone.
        var chunks = dryRun ? DryRunSweep(target, catalog, plan, now) : ChunkCollector.Collect(target, now, dryRun: false);
        return new PruneReport(plan, deleted, catalog.Problems, swept) { Chunks = chunks };
    }

    private static ChunkSweep DryRunSweep(IBackupTarget target, BackupCatalog catalog, RetentionPlan plan, DateTimeOffset now)
    {
        var pruned = plan.Pruned.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        return ChunkCollector.Sweep(target.Chunks, ChunkCollector.Referenced(catalog.Backups.Where(b => !pruned.Contains(b.Id))), delete: false,
            ChunkCollector.OrphansBefore(target.Chunks.ListLeases(now).Where(l => now - l.StartedUtc < BackupWriter.LeaseLifetime), now));
    }

    /// <summary>
    /// <see cref="Retention.Plan"/> over each source's backups on its own (a target may hold several indexes and stores:
    /// one series would let a busy source's backups push a quiet one's out, down to none), merged oldest first.
    /// </summary>
    public static RetentionPlan PlanPerSource(IEnumerable<BackupManifest> backups, RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(policy);
        var kept = new List<RetainedBackup>();
        var pruned = new List<BackupInfo>();
        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        foreach (var series in backups.GroupBy(b => (b.SourceKind, Source: SourceKey(b.Source)), new SeriesComparer(comparer)))
        {
            var plan = Retention.Plan(series.Select(BackupInfo.From), policy);
            kept.AddRange(plan.Kept);
            pruned.AddRange(plan.Pruned);
        }
        kept.Sort((x, y) => Retention.Compare(x.Backup, y.Backup));
        pruned.Sort(Retention.Compare);
        return new RetentionPlan(kept, pruned);
    }

    /// <summary>A recorded source path as one key: full, without a trailing separator; kept as written when it is not a valid path.</summary>
    internal static string SourceKey(string path)
    {
        try
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    private sealed class SeriesComparer(StringComparer paths) : IEqualityComparer<(BackupSourceKind Kind, string Source)>
    {
        public bool Equals((BackupSourceKind Kind, string Source) x, (BackupSourceKind Kind, string Source) y) => x.Kind == y.Kind && paths.Equals(x.Source, y.Source);

        public int GetHashCode((BackupSourceKind Kind, string Source) obj) => HashCode.Combine(obj.Kind, paths.GetHashCode(obj.Source));
    }
}

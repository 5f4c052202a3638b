namespace NativeHnsw.Backup;

/// <summary>Applies <see cref="Retention.Plan"/> to a target, and sweeps what dead writers left there.</summary>
public static class BackupPruner
{
    /// <summary>How long nothing must have been written to a leftover (a staging folder, an upload without manifest) before a prune removes it.</summary>
    public static readonly TimeSpan DefaultLeftoverAge = TimeSpan.FromHours(24);

    /// <summary>
    /// Plans over the target's readable backups and, unless <paramref name="dryRun"/>, deletes the pruned ones,
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
        var plan = Retention.Plan(catalog.Backups.Select(BackupInfo.From), policy);
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
        var swept = target.SweepLeftovers(age, now, dryRun);
        // On a dry run the pruned backups are still there, so what the collection would find is counted as if they were gone.
        var chunks = dryRun ? DryRunSweep(target, catalog, plan) : ChunkCollector.Collect(target, now, dryRun: false);
        return new PruneReport(plan, deleted, catalog.Problems, swept) { Chunks = chunks };
    }

    private static ChunkSweep DryRunSweep(IBackupTarget target, BackupCatalog catalog, RetentionPlan plan)
    {
        var pruned = plan.Pruned.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        return ChunkCollector.Sweep(target.Chunks, ChunkCollector.Referenced(catalog.Backups.Where(b => !pruned.Contains(b.Id))), delete: false);
    }
}

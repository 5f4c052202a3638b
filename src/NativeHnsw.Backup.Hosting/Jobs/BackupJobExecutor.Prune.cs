namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Retention per source over the whole catalog: a backup is one backup whichever targets (tiers) hold it, so the
    /// counts are not multiplied by the number of copies. A pruned backup is deleted from every target that holds it,
    /// newest first. Backups of no policy source, and backups whose manifest is unreadable, are never deleted. Then
    /// sweeps the leftovers of writers that died, and collects the chunks no backup references any more (those of
    /// backups pruned now, moved to a colder tier, or copies that failed their read-back), in every target.
    /// </summary>
    private JobRunResult Prune(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var catalog = PolicyCatalog.Load(policy, targets);
        foreach (var (target, problem) in catalog.Problems)
            _logger.LogUnusableBackup(target, problem.Message);
        var events = new List<JobEvent>();
        foreach (var (source, plan) in PrunePlans(policy, job, catalog))
        {
            foreach (var doomed in plan.Pruned.Reverse())
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var holder in catalog.Entries.Where(e => e.Manifest.Id == doomed.Id))
                {
                    try
                    {
                        targets[holder.TargetName].Delete(doomed.Id);
                        events.Add(new JobEvent(source.Name, JobEventKind.Removed, doomed.Id, Target: holder.TargetName, Message: "pruned by retention"));
                    }
                    catch (Exception e) when (IsExpected(e))
                    {
                        events.Add(new JobEvent(source.Name, JobEventKind.BackupFailed, doomed.Id, Target: holder.TargetName, Message: "cannot prune: " + e.Message));
                    }
                }
            }
        }
        // What writers killed midway left (staging folders, uploads without a manifest): at once when provably done
        // (written under a lease that is over, since this run holds the target's, or by a process that is gone), else
        // once old enough that no writer can still be at work on it.
        foreach (var t in policy.Targets)
        {
            try
            {
                var target = targets[t.Name];
                foreach (string swept in target.SweepAbandoned(WriterLease.For(target.Description), dryRun: false).Concat(target.SweepLeftovers(BackupPruner.DefaultLeftoverAge, _time.GetUtcNow(), dryRun: false)))
                    _logger.LogLeftoverSwept(t.Name, swept);
                // Safe beside a backup or copy writing chunks at this moment (the collector's leases); one running
                // defers the collection to the next prune.
                var chunks = ChunkCollector.Collect(target, _time.GetUtcNow(), dryRun: false);
                if (chunks.Skipped is { } reason)
                    _logger.LogChunksNotCollected(t.Name, reason);
                else if (chunks.Deleted > 0)
                    _logger.LogChunksCollected(t.Name, chunks.Deleted, chunks.DeletedBytes, chunks.Kept);
            }
            catch (Exception e) when (IsExpected(e))
            {
                _logger.LogUnusableBackup(t.Name, "cannot sweep leftovers or collect chunks: " + e.Message);
            }
        }
        return JobRunResult.From(events, Summary(events, "pruned"));
    }

    /// <summary>The policy's retention applied to each source of <paramref name="job"/> over the whole catalog: a backup counts once, whichever targets hold it.</summary>
    private static IEnumerable<(SourcePolicy Source, RetentionPlan Plan)> PrunePlans(BackupPolicy policy, JobPolicy job, PolicyCatalog catalog)
    {
        var retention = new RetentionPolicy(policy.Retention.Daily, policy.Retention.Weekly, policy.Retention.Monthly);
        return policy.SourcesOf(job).Select(s => (s, Retention.Plan(catalog.BackupsOf(s.Name).Select(BackupInfo.From), retention)));
    }

    /// <summary>
    /// What a prune job would do now, deleting nothing (<c>nhnsw prune --policy --dry-run</c>): per source, its plan
    /// over the whole catalog, and for each backup the targets that hold it.
    /// </summary>
    internal static IReadOnlyList<(string Source, RetentionPlan Plan, ILookup<string, string> Holders)> PlanPrune(BackupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        var catalog = PolicyCatalog.Load(policy, targets);
        var holders = catalog.Entries.ToLookup(e => e.Manifest.Id, e => e.TargetName, StringComparer.Ordinal);
        var job = new JobPolicy { Name = "prune", Type = JobType.Prune };
        return [.. PrunePlans(policy, job, catalog).Select(p => (p.Source.Name, p.Plan, holders))];
    }
}

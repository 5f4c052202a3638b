namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Retention per source over the whole catalog: a backup is one backup whichever targets (tiers) hold it, so the
    /// counts are not multiplied by the number of copies. A pruned backup is deleted from every target that holds it,
    /// newest first. Backups of no policy source, and backups whose manifest is unreadable, are never deleted. Then
    /// sweeps the leftovers of writers that died, in every target.
    /// </summary>
    private JobRunResult Prune(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var retention = new RetentionPolicy(policy.Retention.Daily, policy.Retention.Weekly, policy.Retention.Monthly);
        var catalog = PolicyCatalog.Load(policy, targets);
        foreach (var (target, problem) in catalog.Problems)
            _logger.LogUnusableBackup(target, problem.Message);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            var backups = catalog.BackupsOf(source.Name);
            var plan = Retention.Plan(backups.Select(BackupInfo.From), retention);
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
        // What writers killed midway left (staging folders, uploads without a manifest), once old enough that no
        // writer can still be at work on it.
        foreach (var t in policy.Targets)
        {
            try
            {
                foreach (string swept in targets[t.Name].SweepLeftovers(BackupPruner.DefaultLeftoverAge, _time.GetUtcNow(), dryRun: false))
                    _logger.LogLeftoverSwept(t.Name, swept);
            }
            catch (Exception e) when (IsExpected(e))
            {
                _logger.LogUnusableBackup(t.Name, "cannot sweep leftovers: " + e.Message);
            }
        }
        return JobRunResult.From(events, Summary(events, "pruned"));
    }
}

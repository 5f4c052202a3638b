namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>Reads back every file of every backup of the job's sources, in every target, and checks length and SHA-256.</summary>
    private JobRunResult Scrub(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var catalog = PolicyCatalog.Load(policy, targets);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            var damaged = new List<string>();
            int checkedCount = 0;
            foreach (var entry in catalog.Entries.Where(e => e.SourceName == source.Name))
            {
                cancellationToken.ThrowIfCancellationRequested();
                checkedCount++;
                try
                {
                    BackupCopier.Verify(targets[entry.TargetName], entry.Manifest, cancellationToken);
                }
                catch (Exception e) when (IsExpected(e))
                {
                    damaged.Add($"{entry.TargetName}/{entry.Manifest.Id}: {e.Message}");
                }
            }
            events.Add(new JobEvent(source.Name, JobEventKind.Scrubbed, Failures: damaged.Count,
                Message: damaged.Count == 0 ? $"{checkedCount} backups intact" : $"{damaged.Count} of {checkedCount} backups damaged: " + string.Join("; ", damaged)));
        }
        foreach (var (target, problem) in catalog.Problems)
            _logger.LogUnusableBackup(target, problem.Message);
        return JobRunResult.From(events, Summary(events, "scrubbed") + (catalog.Problems.Count > 0 ? $"; {catalog.Problems.Count} unreadable manifests" : ""));
    }
}

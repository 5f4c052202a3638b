namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// The real executor, with a store that changes before every backup (as a live service's would), watching the laws that
/// hold at every step: never two jobs at once, no target over its quota, and every backup made remembered.
/// </summary>
internal sealed class YearWorkload(BackupJobExecutor inner, string storeFolder, Func<BackupPolicy, string?> quotaBreach) : IBackupJobExecutor
{
    private int _running;
    private int _nextRecord = 1000;

    public int MaxConcurrent { get; private set; }

    public List<(DateTimeOffset At, string Job)> Runs { get; } = [];

    /// <summary>Snapshots and incrementals made, read from their manifests as they were committed (before any prune).</summary>
    public List<(string Source, BackupInfo Backup)> Made { get; } = [];

    public List<string> Violations { get; } = [];

    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.MinValue;

    public JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken)
    {
        int running = Interlocked.Increment(ref _running);
        MaxConcurrent = Math.Max(MaxConcurrent, running);
        try
        {
            lock (Runs)
                Runs.Add((Now(), job.Name));
            if (job.Type is JobType.Snapshot or JobType.Incremental)
            {
                TestSources.AddToStore(storeFolder, _nextRecord, 2);
                _nextRecord += 2;
            }
            var result = inner.Run(policy, job, cancellationToken);
            if (job.Type is JobType.Snapshot or JobType.Incremental)
            {
                foreach (var e in result.Events.Where(e => e.Kind == JobEventKind.BackupMade))
                {
                    var target = new LocalFolderTarget(policy.Target(e.Target ?? policy.Sources.Single(x => x.Name == e.Source).Target).Path!);
                    Made.Add((e.Source, BackupInfo.From(target.ReadManifest(e.BackupId!))));
                }
            }
            if (result.Outcome == JobOutcome.Failed)
                Violations.Add($"{Now():O} {job.Name} failed: {result.Message} " + string.Join("; ", result.Events.Where(e => e.Kind is JobEventKind.BackupFailed or JobEventKind.DrillFailed || e.Failures > 0).Select(e => e.Message)));
            if (quotaBreach(policy) is { } breach)
                Violations.Add($"{Now():O} after {job.Name}: {breach}");
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job) => inner.TargetsWritten(policy, job);

    public IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy) => inner.NewestBackups(policy);
}

using System.Collections.Concurrent;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>An executor whose runs the test scripts; it records each run and the most runs ever in progress at once.</summary>
internal sealed class ScriptedExecutor : IBackupJobExecutor
{
    private int _running;
    private int _maxRunning;

    public Func<JobPolicy, CancellationToken, JobRunResult> Body { get; set; } = (_, _) => new JobRunResult(JobOutcome.Succeeded, "ok", []);

    public ConcurrentQueue<string> Runs { get; } = new();

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public bool WritesTargets { get; set; }

    public JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken)
    {
        int now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }
        Runs.Enqueue(job.Name);
        try
        {
            return Body(job, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public IReadOnlyList<TierBackup> Newest { get; set; } = [];

    public IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy) => Newest;

    public IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job) => WritesTargets ? policy.Targets : [];

    /// <summary>The executor whose start sweep this one runs (none: nothing is swept).</summary>
    public IBackupJobExecutor? Sweeper { get; set; }

    public ConcurrentQueue<string> Swept { get; } = new();

    public IReadOnlyList<string> SweepAbandoned(BackupPolicy policy, TargetPolicy target, string leaseId)
    {
        Swept.Enqueue(target.Name);
        return Sweeper?.SweepAbandoned(policy, target, leaseId) ?? [];
    }
}

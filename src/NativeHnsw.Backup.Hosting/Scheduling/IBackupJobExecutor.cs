namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Runs one job of a policy, synchronously, and says what it did. The scheduler decides when; the executor decides how.
/// <see cref="BackupJobExecutor"/> is the one that calls NativeHnsw.Backup; tests substitute their own.
/// </summary>
public interface IBackupJobExecutor
{
    /// <summary>Runs <paramref name="job"/>. Cancellation is checked between steps; a step in progress completes or leaves nothing visible.</summary>
    /// <param name="cancellationToken">Shutdown, or the loss of a lease.</param>
    JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken);

    /// <summary>The targets <paramref name="job"/> writes, moves or prunes: the scheduler holds their leases while it runs.</summary>
    IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job);

    /// <summary>
    /// The newest readable backup of each source in each tier, read from the targets when the scheduler starts, so the
    /// RPO gauge is right from the first collection, also for backups taken by hand or by another runner.
    /// </summary>
    IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy);

    /// <summary>
    /// Removes from <paramref name="target"/> what writers killed midway left (<see cref="IBackupTarget.SweepAbandoned"/>):
    /// the scheduler calls it once per target when it starts (or, when that target's lease was held by another runner
    /// then, in the first job that holds it), holding that target's lease under <paramref name="leaseId"/>.
    /// </summary>
    /// <returns>What was removed, one name each.</returns>
    IReadOnlyList<string> SweepAbandoned(BackupPolicy policy, TargetPolicy target, string leaseId) => [];
}

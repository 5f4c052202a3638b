using NativeHnsw.Backup.Hosting;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// The backup policy <c>serve</c> runs in its own process: the store is the one source, a local folder the one target;
/// incremental backups (the first one, with nothing to chain to, is full) and a daily full snapshot on cron schedules
/// in UTC, and a daily prune with the default grandfather-father-son retention (7 daily, 4 weekly, 12 monthly).
/// </summary>
/// <param name="IncrementalCron">Five-field cron, or six with seconds first (e.g. <c>*/20 * * * * *</c> to watch it work).</param>
/// <param name="SnapshotCron">When a full backup is taken.</param>
/// <param name="PruneCron">When backups outside the retention are removed.</param>
public sealed record RagBackupSchedule(string IncrementalCron = "*/5 * * * *", string SnapshotCron = "0 3 * * *", string PruneCron = "30 3 * * *")
{
    public const string SourceName = "rag-store";

    public const string TargetName = "local";

    /// <summary>The policy for the store in <paramref name="store"/> and the backup folder <paramref name="backups"/>, validated.</summary>
    /// <exception cref="PolicyException">A cron expression is bad; the message names the job.</exception>
    public BackupPolicy Policy(string store, string backups)
    {
        var policy = new BackupPolicy
        {
            Sources = [new SourcePolicy { Name = SourceName, Type = SourceType.Store, Path = Path.GetFullPath(store), Target = TargetName }],
            Targets = [new TargetPolicy { Name = TargetName, Type = TargetType.Local, Path = Path.GetFullPath(backups), Tier = "hot" }],
            Jobs =
            [
                new JobPolicy { Name = "incremental", Type = JobType.Incremental, Cron = IncrementalCron },
                new JobPolicy { Name = "snapshot", Type = JobType.Snapshot, Cron = SnapshotCron },
                new JobPolicy { Name = "prune", Type = JobType.Prune, Cron = PruneCron },
            ],
        };
        policy.Validate();
        return policy;
    }
}

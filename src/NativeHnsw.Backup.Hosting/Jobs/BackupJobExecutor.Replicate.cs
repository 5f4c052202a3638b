using System.Globalization;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// One round of change shipping per store source (see <see cref="ChangeShipper"/>): what its log holds since the last
    /// segment goes to its target as sealed segments. A six-field cron of every second gives a one-second recovery point;
    /// each run resumes from the target's last segment, so no state is kept between runs. Index sources are skipped.
    /// </summary>
    private JobRunResult Replicate(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = policy.Target(job.Target ?? source.Target);
            if (source.Type == SourceType.Index)
            {
                events.Add(new JobEvent(source.Name, JobEventKind.Skipped, Target: target.Name, Message: "an index file has no change log; the snapshot job covers it"));
                continue;
            }
            try
            {
                var opened = targets[target.Name];
                using var shipper = new ChangeShipper(source.Path, opened, new ChangeShipperOptions { TimeProvider = _time, SnapshotOptions = Options(policy) });
                var report = shipper.ShipOnce();
                events.Add(report switch
                {
                    { Ok: false } => new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: report.Problem),
                    { Commits: 0, Snapshot: null } => new JobEvent(source.Name, JobEventKind.Skipped, Target: target.Name, Message: "no new commits to ship"),
                    _ => new JobEvent(source.Name, JobEventKind.BackupMade, report.Segments.LastOrDefault()?.Name ?? report.Snapshot, Target: target.Name,
                        Elapsed: report.Lags.Count == 0 ? null : report.Lags.Max(),
                        Message: string.Create(CultureInfo.InvariantCulture, $"shipped {report.Commits} commit(s) in {report.Segments.Count} segment(s), up to commit {report.LastShipped}")
                            + (report.Snapshot is null ? "" : $"; base snapshot {report.Snapshot}")),
                });
            }
            catch (Exception e) when (IsExpected(e))
            {
                events.Add(new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: e.Message));
            }
        }
        return JobRunResult.From(events, Summary(events, "shipped"));
    }
}

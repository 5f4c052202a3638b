using System.Diagnostics;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Restores the newest backup of each source into a fresh scratch folder with every check the restore runs (checksums,
    /// chain, shape, probe queries; an index is also loaded whole), then deletes it. Passes when the restore succeeds within
    /// the source's RTO. The backup is chosen as a real recovery would (<see cref="ChooseHealthy"/>): the newest one, from the
    /// nearest tier holding a good copy, passing over copies a scrub marked and saying so.
    /// </summary>
    private JobRunResult Drill(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        string scratch = policy.Drill.ScratchFolder ?? Path.GetTempPath();
        Directory.CreateDirectory(scratch);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            cancellationToken.ThrowIfCancellationRequested();
            HealthyChoice newest;
            try
            {
                newest = ChooseHealthy(policy, targets, source, BackupSelector.Latest);
            }
            catch (BackupException e)
            {
                events.Add(new JobEvent(source.Name, JobEventKind.DrillFailed, e.BackupId, Message: e is BackupNotFoundException
                    ? "there is no backup of this source in any target to drill"
                    : e.Message));
                continue;
            }
            string skippedNote = newest.Skipped.Count == 0 ? "" : "; skipped " + string.Join("; ", newest.Skipped.Select(k => $"{k.BackupId} in {k.Target} ({k.Reason})"));
            var clock = Stopwatch.StartNew();
            try
            {
                var target = targets[newest.Target];
                var selector = BackupSelector.ById(newest.Backup.Id);
                var report = newest.Backup.SourceKind == BackupSourceKind.Index
                    ? IndexRestore.Drill(target, selector, scratch)
                    : StoreRestore.Drill(target, selector, scratch);
                var rto = report.Total;
                bool inTime = source.Rto is not { } limit || rto <= limit;
                string steps = string.Join(", ", report.Steps.Select(s => $"{s.Name} {DurationText.Format(s.Elapsed)}"));
                events.Add(new JobEvent(source.Name, inTime ? JobEventKind.DrillPassed : JobEventKind.DrillFailed, newest.Backup.Id,
                    BackupCreatedUtc: newest.Backup.CreatedUtc, Elapsed: rto, Target: newest.Target,
                    Message: (inTime ? "restored and checked" : $"restored and checked, but in {DurationText.Format(rto)} against an RTO of {DurationText.Format(source.Rto!.Value)}") + $" (chain of {report.Chain.Count}; {steps}){skippedNote}"));
            }
            catch (Exception e) when (IsExpected(e))
            {
                events.Add(new JobEvent(source.Name, JobEventKind.DrillFailed, newest.Backup.Id, BackupCreatedUtc: newest.Backup.CreatedUtc,
                    Elapsed: clock.Elapsed, Target: newest.Target, Message: e.Message + skippedNote));
            }
        }
        return JobRunResult.From(events, Summary(events, "drilled"));
    }

    /// <summary>
    /// The copy of <paramref name="source"/>'s backup a restore takes: targets nearest first (hotter tiers by the tier
    /// rules' order, then policy order), copies marked by a scrub or with a broken chain passed over.
    /// </summary>
    /// <exception cref="BackupException">No backup matches, or none has a good copy.</exception>
    internal static HealthyChoice ChooseHealthy(BackupPolicy policy, PolicyTargets targets, SourcePolicy source, BackupSelector selector)
    {
        string path = PolicyCatalog.Normalize(source.Path);
        var nearest = policy.Targets.Select((t, i) => (t, i)).OrderBy(x => RankOf(policy, x.t.Tier)).ThenBy(x => x.i)
            .Select(x => (x.t.Name, targets.Catalog(x.t.Name), DamageMarks.Read(targets[x.t.Name])))
            .ToList();
        return HealthyBackups.Choose(nearest, selector, b => PolicyCatalog.Normalize(b.Source) == path);
    }
}

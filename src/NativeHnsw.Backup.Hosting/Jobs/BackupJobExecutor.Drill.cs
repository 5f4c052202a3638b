using System.Diagnostics;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Restores the newest backup of each source into a fresh scratch folder with every check the restore runs (checksums,
    /// chain, shape, probe queries; an index is also loaded whole), then deletes it. Passes when the restore succeeds within
    /// the source's RTO. The newest backup is taken from the hottest target that holds it, as a real recovery would.
    /// </summary>
    private JobRunResult Drill(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var catalog = PolicyCatalog.Load(policy, targets);
        string scratch = policy.Drill.ScratchFolder ?? Path.GetTempPath();
        Directory.CreateDirectory(scratch);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var newest = catalog.Entries.Where(e => e.SourceName == source.Name)
                .OrderByDescending(e => e.Manifest.CreatedUtc).ThenByDescending(e => e.Manifest.Id, StringComparer.Ordinal)
                .ThenBy(e => policy.Targets.ToList().FindIndex(t => t.Name == e.TargetName))
                .FirstOrDefault();
            if (newest is null)
            {
                events.Add(new JobEvent(source.Name, JobEventKind.DrillFailed, Message: "there is no backup of this source in any target to drill"));
                continue;
            }
            var clock = Stopwatch.StartNew();
            try
            {
                var target = targets[newest.TargetName];
                var selector = BackupSelector.ById(newest.Manifest.Id);
                var report = newest.Manifest.SourceKind == BackupSourceKind.Index
                    ? IndexRestore.Drill(target, selector, scratch)
                    : StoreRestore.Drill(target, selector, scratch);
                var rto = report.Total;
                bool inTime = source.Rto is not { } limit || rto <= limit;
                string steps = string.Join(", ", report.Steps.Select(s => $"{s.Name} {s.Elapsed.TotalSeconds:0.###}s"));
                events.Add(new JobEvent(source.Name, inTime ? JobEventKind.DrillPassed : JobEventKind.DrillFailed, newest.Manifest.Id,
                    BackupCreatedUtc: newest.Manifest.CreatedUtc, Elapsed: rto, Target: newest.TargetName,
                    Message: (inTime ? "restored and checked" : $"restored and checked, but in {rto} against an RTO of {source.Rto}") + $" (chain of {report.Chain.Count}; {steps})"));
            }
            catch (Exception e) when (IsExpected(e))
            {
                events.Add(new JobEvent(source.Name, JobEventKind.DrillFailed, newest.Manifest.Id, BackupCreatedUtc: newest.Manifest.CreatedUtc,
                    Elapsed: clock.Elapsed, Target: newest.TargetName, Message: e.Message));
            }
        }
        return JobRunResult.From(events, Summary(events, "drilled"));
    }
}

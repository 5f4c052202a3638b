namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Reads back every file of every backup of the job's sources, in every target, and checks length and SHA-256
    /// (<see cref="TargetScrubber"/>): a damaged copy, or one whose chain is broken, is marked in its target so restores
    /// and drills pass it over; a copy whole again loses its mark.
    /// </summary>
    private JobRunResult Scrub(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var sources = policy.SourcesOf(job).ToList();
        var bySource = policy.Sources.ToDictionary(s => PolicyCatalog.Normalize(s.Path), s => s.Name, StringComparer.Ordinal);
        var damaged = sources.ToDictionary(s => s.Name, _ => new List<string>(), StringComparer.Ordinal);
        var checkedCount = sources.ToDictionary(s => s.Name, _ => 0, StringComparer.Ordinal);
        var events = new List<JobEvent>();
        int unreadable = 0;
        foreach (var t in policy.Targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScrubReport report;
            try
            {
                report = TargetScrubber.Scrub(targets[t.Name], _time, cancellationToken,
                    b => bySource.TryGetValue(PolicyCatalog.Normalize(b.Source), out var name) && damaged.ContainsKey(name));
            }
            catch (Exception e) when (IsExpected(e))
            {
                foreach (var s in sources)
                    events.Add(new JobEvent(s.Name, JobEventKind.Scrubbed, Failures: 1, Target: t.Name, Message: $"cannot scrub '{t.Name}': {e.Message}"));
                continue;
            }
            foreach (var f in report.Findings)
            {
                string source = bySource[PolicyCatalog.Normalize(f.Backup.Source)];
                checkedCount[source]++;
                if (f.Problem is not null)
                    damaged[source].Add($"{t.Name}/{f.Backup.Id}: {f.Problem}");
            }
            foreach (var problem in report.Unreadable)
                _logger.LogUnusableBackup(t.Name, problem.Message);
            unreadable += report.Unreadable.Count;
        }
        foreach (var s in sources)
        {
            var bad = damaged[s.Name];
            int n = checkedCount[s.Name];
            events.Add(new JobEvent(s.Name, JobEventKind.Scrubbed, Failures: bad.Count,
                Message: bad.Count == 0 ? $"{n} backups intact" : $"{bad.Count} of {n} backups damaged (marked): " + string.Join("; ", bad)));
        }
        return JobRunResult.From(events, Summary(events, "scrubbed") + (unreadable > 0 ? $"; {unreadable} unreadable manifests" : ""));
    }
}

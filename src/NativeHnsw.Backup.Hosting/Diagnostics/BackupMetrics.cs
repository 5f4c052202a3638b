using System.Diagnostics.Metrics;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The scheduler's instruments on the meter <c>NativeHnsw.Backup</c> (docs/OPERATIONS.md says what each means).
/// Counters and the histogram are recorded as jobs end; the gauges read the scheduler's per-source state when a
/// listener collects, against the scheduler's clock, so the RPO grows between backups as it does in reality.
/// </summary>
public sealed class BackupMetrics : IDisposable
{
    public const string MeterName = "NativeHnsw.Backup";

    private readonly Counter<long> _backups;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _unchanged;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _scrubFailures;
    private readonly Histogram<double> _duration;
    private readonly bool _ownsMeter;
    private Func<IReadOnlyDictionary<string, SourceState>> _sources = () => new Dictionary<string, SourceState>();
    private TimeProvider _time = TimeProvider.System;

    /// <param name="meterFactory">The host's factory (so the meter is scoped to the host's container); null: a meter of our own.</param>
    public BackupMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _backups = Meter.CreateCounter<long>("nhnsw.backup.backups", "{backup}", "Backups committed (snapshots, incrementals, verified copies), by source, kind and job.");
        _unchanged = Meter.CreateCounter<long>("nhnsw.backup.unchanged", "{backup}", "Incrementals not taken because the store was unchanged since its newest backup, by source and job.");
        _failures = Meter.CreateCounter<long>("nhnsw.backup.failures", "{failure}", "Backups or job runs that failed, by job and source.");
        _bytes = Meter.CreateCounter<long>("nhnsw.backup.bytes", "By", "Bytes written to targets, by source and job.");
        _scrubFailures = Meter.CreateCounter<long>("nhnsw.backup.scrub.failures", "{backup}", "Backups a scrub found damaged, by source.");
        _duration = Meter.CreateHistogram<double>("nhnsw.backup.job.duration", "s", "Wall time of each job run, by job, type and outcome.");
        Meter.CreateObservableGauge("nhnsw.backup.rpo", ObserveRpo, "s", "Age of the newest good backup of each source, or of the last incremental run that found the source unchanged since it: the data a loss now would cost.");
        Meter.CreateObservableGauge("nhnsw.backup.drill.rto", ObserveRto, "s", "Restore time the last drill of each source measured.");
        Meter.CreateObservableGauge("nhnsw.backup.drill.passed", ObserveDrillPassed, "{drill}", "1 when the last drill of the source passed (restored, every check, within its RTO), 0 when it failed.");
    }

    public Meter Meter { get; }

    /// <summary>Where the gauges read from; the scheduler binds its state and clock at start.</summary>
    internal void Bind(Func<IReadOnlyDictionary<string, SourceState>> sources, TimeProvider time)
    {
        _sources = sources;
        _time = time;
    }

    internal void Record(JobPolicy job, JobRunResult result, TimeSpan elapsed)
    {
        string jobType = job.Type.ToString().ToLowerInvariant();
        _duration.Record(elapsed.TotalSeconds, new("job", job.Name), new("type", jobType), new("outcome", result.Outcome.ToString().ToLowerInvariant()));
        if (result.Outcome == JobOutcome.Failed && result.Events.Count == 0)
            _failures.Add(1, new("job", job.Name), new("source", ""));
        foreach (var e in result.Events)
        {
            switch (e.Kind)
            {
                case JobEventKind.BackupMade:
                    _backups.Add(1, new("source", e.Source), new("kind", job.Type == JobType.Offsite || job.Type == JobType.Tiers ? "copy" : jobType), new("job", job.Name));
                    _bytes.Add(e.Bytes, new("source", e.Source), new("job", job.Name));
                    break;
                case JobEventKind.Unchanged:
                    _unchanged.Add(1, new("source", e.Source), new("job", job.Name));
                    break;
                case JobEventKind.BackupFailed:
                case JobEventKind.DrillFailed:
                    _failures.Add(1, new("job", job.Name), new("source", e.Source));
                    break;
                case JobEventKind.Scrubbed when e.Failures > 0:
                    _scrubFailures.Add(e.Failures, new KeyValuePair<string, object?>("source", e.Source));
                    break;
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveRpo()
    {
        var now = _time.GetUtcNow();
        foreach (var (name, s) in _sources())
        {
            if (s.RecoveryPointUtc is { } t)
                yield return new Measurement<double>(Math.Max(0, (now - t).TotalSeconds), new KeyValuePair<string, object?>("source", name));
        }
    }

    private IEnumerable<Measurement<double>> ObserveRto()
    {
        foreach (var (name, s) in _sources())
        {
            if (s.LastDrillRto is { } rto)
                yield return new Measurement<double>(rto.TotalSeconds, new KeyValuePair<string, object?>("source", name));
        }
    }

    private IEnumerable<Measurement<int>> ObserveDrillPassed()
    {
        foreach (var (name, s) in _sources())
        {
            if (s.LastDrillPassed is { } passed)
                yield return new Measurement<int>(passed ? 1 : 0, new KeyValuePair<string, object?>("source", name));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
            Meter.Dispose();
    }
}

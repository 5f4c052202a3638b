using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// The real executor, with a store that changes before every snapshot and before about one hourly incremental in
/// <see cref="IncrementalChangeOdds"/> (a service is written in bursts), watching the laws that hold at every step: never
/// two jobs at once, no target over its quota, no incremental skipped as unchanged after a change, and every backup made
/// remembered. The store is a live service's: one client holds it open all year (so every backup takes the read-only
/// path beside a writer), adds two records per change and deletes the oldest beyond <see cref="LiveRecords"/>, and
/// checkpoints now and then, so its size and change log stay what a steady service's would be rather than growing with
/// the simulated hours.
/// </summary>
internal sealed class YearWorkload : IBackupJobExecutor, IDisposable
{
    public const int LiveRecords = 40;

    public const int IncrementalChangeOdds = 4;

    private static readonly StoreOptions s_service = new() { Checkpoints = new CheckpointPolicy { EveryChanges = 200, Interval = null, AfterReplayOf = 0 }, Log = _ => { } };

    private readonly BackupJobExecutor _inner;
    private readonly Func<BackupPolicy, string?> _quotaBreach;
    private readonly PersistentClient _service;
    private readonly Collection _docs;
    private readonly Queue<string> _live = new();
    private readonly Random _random;
    private int _running;
    private int _nextRecord = 1000;
    private bool _changedSinceBackup = true;

    public YearWorkload(BackupJobExecutor inner, string storeFolder, Func<BackupPolicy, string?> quotaBreach, int seed)
    {
        _random = new Random(seed);
        _inner = inner;
        _quotaBreach = quotaBreach;
        _service = new PersistentClient(storeFolder, s_service);
        _docs = _service.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
    }

    public int MaxConcurrent { get; private set; }

    public List<(DateTimeOffset At, string Job)> Runs { get; } = [];

    /// <summary>Snapshots and incrementals made, read from their manifests as they were committed (before any prune).</summary>
    public List<(string Source, BackupInfo Backup)> Made { get; } = [];

    public List<string> Violations { get; } = [];

    /// <summary>Backups written into some target (made, copied offsite, moved): each is one manifest a catalog may read.</summary>
    public int Written { get; private set; }

    /// <summary>Incrementals skipped because the store was unchanged.</summary>
    public int Unchanged { get; private set; }

    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.MinValue;

    public JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken)
    {
        int running = Interlocked.Increment(ref _running);
        MaxConcurrent = Math.Max(MaxConcurrent, running);
        try
        {
            lock (Runs)
                Runs.Add((Now(), job.Name));
            if (job.Type == JobType.Snapshot || (job.Type == JobType.Incremental && _random.Next(IncrementalChangeOdds) == 0))
                ChangeStore();
            var result = _inner.Run(policy, job, cancellationToken);
            Written += result.Events.Count(e => e.Kind == JobEventKind.BackupMade);
            foreach (var e in result.Events.Where(e => e.Kind == JobEventKind.Unchanged))
            {
                Unchanged++;
                if (_changedSinceBackup)
                    Violations.Add($"{Now():O} {job.Name}: skipped {e.Source} as unchanged since {e.BackupId}, but it changed since its last backup");
            }
            if (job.Type is JobType.Snapshot or JobType.Incremental && result.Events.Any(e => e.Kind == JobEventKind.BackupMade && e.Source == StoreSource))
                _changedSinceBackup = false;
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
            // Only a write can take a target over its quota.
            if (result.Events.Any(e => e.Kind == JobEventKind.BackupMade) && _quotaBreach(policy) is { } breach)
                Violations.Add($"{Now():O} after {job.Name}: {breach}");
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job) => _inner.TargetsWritten(policy, job);

    public IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy) => _inner.NewestBackups(policy);

    public void Dispose() => _service.Dispose();

    /// <summary>The policy's name of the store source.</summary>
    public const string StoreSource = "chat";

    private void ChangeStore()
    {
        _changedSinceBackup = true;
        var random = new Random(_nextRecord);
        for (int i = 0; i < 2; i++)
        {
            string id = $"r{_nextRecord++}";
            _docs.Add(id, [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())], $"doc {id}");
            _live.Enqueue(id);
        }
        var doomed = new List<string>();
        while (_live.Count > LiveRecords)
            doomed.Add(_live.Dequeue());
        if (doomed.Count > 0)
            _docs.Delete(doomed);
    }
}

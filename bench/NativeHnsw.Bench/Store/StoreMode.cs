using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Storage;

namespace NativeHnsw.Bench.Store;

/// <summary>
/// The durable collections of <c>NativeHnsw.Storage</c> (issue 6's bench figure): inserts per second batched and one
/// per call at both durability levels, checkpoint time, reopen time with a fresh checkpoint, replaying changes, and
/// rebuilding from the records, and query latency without a filter and with 10% and 1% filters. Seeded clustered
/// data, cosine, M=16, ef_construction=100; every record has the metadata <c>mod = i % 100</c>.
/// </summary>
/// <remarks>
/// Filtered queries vary the filter from one query to the next (1%: <c>mod == q % 100</c>; 10%: <c>q' ≤ mod &lt; q'+10</c>),
/// so the collection's cache of recent filter results never answers them; one more line repeats a single 1% filter
/// to show the cached case.
/// </remarks>
public static class StoreMode
{
    private const int Batch = 1_000;

    private static readonly StoreOptions s_manualCheckpoints = new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = null, OnDispose = false, AfterReplayOf = 0 },
        Log = _ => { },
    };

    public static StoreReport Run(StoreSettings settings, ConsoleUi ui, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ui);
        var s = settings;
        var figures = new List<StoreFigure>();
        var notes = new List<string>();
        var collectionOptions = new CollectionOptions { Dimensions = s.Dimensions, Metric = DistanceMetric.Cosine, M = 16, EfConstruction = 100 };
        int total = s.Count + s.Singles;
        float[] data = ui.Step(ReportTables.F($"generate {total:N0} × {s.Dimensions} clustered"), () => SyntheticVectors.Clustered(total, s.Dimensions, s.Seed));
        string main = Path.Combine(workDirectory, "process");

        using (var client = new PersistentClient(main, s_manualCheckpoints))
        {
            var c = client.CreateCollection("bench", collectionOptions);
            double seconds = ui.Step(ReportTables.F($"insert {s.Count:N0} in batches of {Batch:N0} (Durability.Process)"), () => Time(() => AddBatches(c, data, s.Dimensions, 0, s.Count)));
            figures.Add(new("insert", ReportTables.F($"batches of {Batch:N0}, Durability.Process ({s.Count:N0} records)"), s.Count / seconds, "records/s"));
            seconds = ui.Step(ReportTables.F($"insert {s.Singles:N0} one per call (Durability.Process)"), () => Time(() => AddSingles(c, data, s.Dimensions, s.Count, total)));
            figures.Add(new("insert", ReportTables.F($"one per call, Durability.Process ({s.Singles:N0} records, index at {s.Count:N0})"), s.Singles / seconds, "records/s"));
            seconds = ui.Step("checkpoint", () => Time(c.Checkpoint));
            figures.Add(new("checkpoint", ReportTables.F($"save the index ({total:N0} records)"), seconds * 1e3, "ms"));
        }
        if (s.Ship)
            ShipOverhead(s, ui, workDirectory, data, collectionOptions, figures, notes);

        string strict = Path.Combine(workDirectory, "strict");
        var strictOptions = s_manualCheckpoints with { Durability = Durability.Strict };
        using (var client = new PersistentClient(strict, strictOptions))
        {
            var c = client.CreateCollection("bench", collectionOptions);
            int n = Math.Min(s.StrictCount, s.Count);
            double seconds = ui.Step(ReportTables.F($"insert {n:N0} in batches of {Batch:N0} (Durability.Strict)"), () => Time(() => AddBatches(c, data, s.Dimensions, 0, n)));
            figures.Add(new("insert", ReportTables.F($"batches of {Batch:N0}, Durability.Strict ({n:N0} records)"), n / seconds, "records/s"));
            int singles = Math.Min(s.Singles, 500);
            seconds = ui.Step(ReportTables.F($"insert {singles:N0} one per call (Durability.Strict)"), () => Time(() => AddSingles(c, data, s.Dimensions, s.Count, s.Count + singles)));
            figures.Add(new("insert", ReportTables.F($"one per call, Durability.Strict ({singles:N0} records, index at {n:N0})"), singles / seconds, "records/s"));
        }
        if (s.StrictCount < s.Count)
        {
            notes.Add(ReportTables.F($"The Durability.Strict store holds {Math.Min(s.StrictCount, s.Count):N0} records (--strict-count), not {s.Count:N0}: an insert into a smaller index is cheaper, so compare its rates with that in mind."));
        }

        var timer = Stopwatch.StartNew();
        using (var client = new PersistentClient(main, s_manualCheckpoints))
        {
            var c = client.GetCollection("bench");
            double ms = timer.Elapsed.TotalMilliseconds;
            figures.Add(new("reopen", ReportTables.F($"fresh checkpoint ({c.Recovery.ReplayedRecords:N0} changes replayed, {c.Count():N0} records)"), ms, "ms"));
            ui.Note(ReportTables.F($"reopen with a fresh checkpoint: {ms:F0} ms"));
            figures.AddRange(ui.Step(ReportTables.F($"queries ×{s.Queries} per kind"), () => Queries(c, s)));
            int replay = Math.Min(s.Replay, total);
            ui.Step(ReportTables.F($"upsert {replay:N0} records (not checkpointed)"), () =>
            {
                var fresh = SyntheticVectors.Clustered(replay, s.Dimensions, s.Seed + 7);
                for (int start = 0; start < replay; start += Batch)
                {
                    int n = Math.Min(Batch, replay - start);
                    c.Upsert([.. Enumerable.Range(start, n).Select(Id)], [.. Enumerable.Range(start, n).Select(i => SyntheticVectors.Row(fresh, s.Dimensions, i).ToArray())]);
                }
            });
        }

        timer.Restart();
        using (var client = new PersistentClient(main, s_manualCheckpoints))
        {
            var c = client.GetCollection("bench");
            figures.Add(new("reopen", ReportTables.F($"checkpoint + replay of {c.Recovery.ReplayedRecords:N0} changes"), timer.Elapsed.TotalMilliseconds, "ms"));
        }

        foreach (string file in Directory.EnumerateFiles(main, "*.nhnsw", SearchOption.AllDirectories))
            File.Delete(file);
        timer.Restart();
        using (var client = new PersistentClient(main, s_manualCheckpoints))
        {
            var c = client.GetCollection("bench");
            double ms = ui.Step("reopen without a checkpoint (rebuild)", () => { _ = c.Count(); return timer.Elapsed.TotalMilliseconds; });
            figures.Add(new("reopen", ReportTables.F($"no checkpoint: rebuild of {c.Recovery.ReplayedRecords:N0} records"), ms, "ms"));
        }
        return new StoreReport(s.CommandLine, DateTimeOffset.Now, MachineInfo.Detect(), s.Count, s.Dimensions, figures, notes);
    }

    /// <summary>
    /// What change shipping costs one-record commits, interleaved so the machine's load falls on all alike: four stores
    /// of the same records, each record added to each store by turns in a balanced order (<see cref="ShipOrder"/>), timed in rounds of <see cref="ShipBlock"/> — shipping off; the
    /// log enabled but no shipper (the writer's own cost); a <see cref="Shipping"/> beside the writer (the whole cost);
    /// shipping off again, a control whose ratio to the first is the run's noise (a ratio within it is no cost at all).
    /// </summary>
    /// <remarks>
    /// Decided by the median of per-round ratios (store ÷ off in the same round), not by total times: within a round
    /// the stores take turns commit by commit, so a burst of load from another process falls on all four, while it
    /// shifts a total by however long it lasted. The stores hold the same records and seeds, so each record's graph
    /// work is the same in all four: what differs is the commit. A round is long enough to hold several of SQLite's
    /// WAL checkpoints (one every ~1,000 pages, ~100 one-record commits), which a store that writes more pages per
    /// commit runs more often: with rounds of 50 commits a round held one checkpoint or none, and its ratio was
    /// bimodal (quartiles 0.79–1.77 against the control's 0.98–1.07). The first <see cref="ShipWarmUp"/> records
    /// warm up (JIT tiers, page caches) untimed.
    /// </remarks>
    private static void ShipOverhead(StoreSettings s, ConsoleUi ui, string workDirectory, float[] data, CollectionOptions options, List<StoreFigure> figures, List<string> notes)
    {
        int total = s.Count + s.Singles;
        string[] names = ["ship-off", "ship-log", "ship-on", "ship-off-2"];
        string[] labels = ["shipping off", "log only, no shipper", "shipping on (shipper every 1 s)", "shipping off again (control)"];
        var clients = names.Select(n => new PersistentClient(Path.Combine(workDirectory, n), s_manualCheckpoints)).ToArray();
        try
        {
            var collections = clients.Select(c => c.CreateCollection("bench", options)).ToArray();
            var random = new Random(s.Seed);
            // Batch by batch into each store by turns, not one store after another, so no store's files and memory
            // are all laid out before (or after) the others'.
            ui.Step(ReportTables.F($"shipping on/off: {s.Count:N0} records in batches into each of {names.Length} stores by turns"), () =>
            {
                var cycle = ShipOrder.Cycle(names.Length, random);
                for (int start = 0, b = 0; start < s.Count; start += Batch, b++)
                {
                    foreach (int k in cycle[b % cycle.Length])
                        AddBatches(collections[k], data, s.Dimensions, start, Math.Min(s.Count, start + Batch));
                }
            });
            using (var feed = ChangeFeed.Open(Path.Combine(workDirectory, names[1])))
                feed.Enable(TimeProvider.System);
            using var shipping = new Shipping(Path.Combine(workDirectory, names[2]), Path.Combine(workDirectory, "ship-target"));
            shipping.Start();
            var rounds = names.Select(_ => new List<double>()).ToArray();
            int warmUp = Math.Min(ShipWarmUp, s.Singles / 10);
            ui.Step(ReportTables.F($"shipping on/off: {s.Singles:N0} one per call into each, {warmUp} to warm up, then by rounds of {ShipBlock}"), () =>
            {
                var warmUpCycle = ShipOrder.Cycle(names.Length, random);
                for (int i = s.Count; i < s.Count + warmUp; i++)
                {
                    foreach (int k in warmUpCycle[(i - s.Count) % warmUpCycle.Length])
                        AddSingles(collections[k], data, s.Dimensions, i, i + 1);
                }
                for (int from = s.Count + warmUp; from < total; from += ShipBlock)
                {
                    int to = Math.Min(total, from + ShipBlock);
                    // Record i goes into each store by turns, in the order of a balanced cycle drawn for the round
                    // (ShipOrder): a moment of load falls on every store alike, and every store follows every other
                    // equally often.
                    var cycle = ShipOrder.Cycle(names.Length, random);
                    var block = new double[collections.Length];
                    for (int i = from; i < to; i++)
                    {
                        foreach (int k in cycle[(i - from) % cycle.Length])
                            block[k] += Time(() => AddSingles(collections[k], data, s.Dimensions, i, i + 1));
                    }
                    for (int k = 0; k < block.Length; k++)
                        rounds[k].Add(block[k]);
                }
            });
            long shipped = shipping.Stop();
            var summary = new List<string>();
            for (int k = 0; k < names.Length; k++)
            {
                int timed = s.Singles - warmUp;
                figures.Add(new("insert", ReportTables.F($"one per call, {labels[k]}, interleaved ({timed:N0} records timed, index at {s.Count:N0})"),
                    timed / rounds[k].Sum(), "records/s"));
                if (k == 0)
                    continue;
                var ratios = ShipRatios.Of(rounds[k], rounds[0]);
                figures.Add(new("shipping", ReportTables.F($"commit time, {labels[k]} / off (median of {ratios.Rounds} per-round ratios)"), ratios.Median,
                    ReportTables.F($"× (quartiles {ratios.Lower:F3}–{ratios.Upper:F3}, total {ratios.Total:F3}×)")));
                summary.Add(ReportTables.F($"{labels[k]} {ratios.Median:F3}× (quartiles {ratios.Lower:F3}–{ratios.Upper:F3}; total {ratios.Total:F3}×)"));
            }
            var control = ShipRatios.Of(rounds[3], rounds[0]);
            var shipperToControl = ShipRatios.Of(rounds[2], rounds[3]);
            figures.Add(new("shipping", ReportTables.F($"commit time, {labels[2]} / control (median of {shipperToControl.Rounds} per-round ratios)"), shipperToControl.Median,
                ReportTables.F($"× (quartiles {shipperToControl.Lower:F3}–{shipperToControl.Upper:F3}, total {shipperToControl.Total:F3}×)")));
            // The two off stores do exactly the same, so their mean per round is the same reference with half the
            // variance of either: a ratio to one of them carries that store's noise whole (the control against off
            // alone spans ±4–8 % in a run).
            var bothOff = rounds[0].Zip(rounds[3], (a, b) => (a + b) / 2).ToList();
            var shipper = ShipRatios.Of(rounds[2], bothOff);
            var logOnly = ShipRatios.Of(rounds[1], bothOff);
            foreach (var (k, r) in new[] { (1, logOnly), (2, shipper) })
            {
                figures.Add(new("shipping", ReportTables.F($"commit time, {labels[k]} / both off stores (their mean per round; median of {r.Rounds} per-round ratios)"), r.Median,
                    ReportTables.F($"× (quartiles {r.Lower:F3}–{r.Upper:F3}, total {r.Total:F3}×)")));
            }
            notes.Add(ReportTables.F($"Shipping on/off: {names.Length} stores of the same records, built batch by batch by turns, each record then added to each store by turns (a balanced order drawn per round: every store follows every other equally often), timed in rounds of {ShipBlock} after {warmUp} to warm up: shipping off; the log enabled with no shipper; a ChangeShipper beside the writer sealing its log into segments in a local folder every second ({shipped:N0} commits shipped); shipping off again, the control (its distance from 1 is the run's noise). Median of per-round ratios to off: {string.Join("; ", summary)}."));
            notes.Add(ReportTables.F($"Target: shipping slows commits by at most 5 % (median per-round ratio to both off stores ≤ 1.05): {(shipper.Median <= 1.05 ? "pass" : "miss")} at {shipper.Median:F3}× (shipper / off {ShipRatios.Of(rounds[2], rounds[0]).Median:F3}×, shipper / control {shipperToControl.Median:F3}×; control / off {control.Median:F3}×)."));
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
        }
    }

    // A whole number of ShipOrder cycles (3 records for 4 stores), so a round's order is balanced.
    private const int ShipBlock = 498;

    private const int ShipWarmUp = 200;

    private static List<StoreFigure> Queries(Collection c, StoreSettings s)
    {
        var queries = SyntheticVectors.Gaussian(s.Queries, s.Dimensions, s.Seed + 2);
        var kinds = new (string Name, Func<int, Where?> Filter)[]
        {
            ("no filter (graph, ef=64)", _ => null),
            ("10% filter, varied (mod in [j, j+10))", q => Where.And(Where.Gte("mod", (long)(q % 91)), Where.Lt("mod", (long)(q % 91 + 10)))),
            ("1% filter, varied (mod == j)", q => Where.Eq("mod", (long)(q % 100))),
            ("1% filter, repeated (cached row set)", _ => Where.Eq("mod", 7L)),
        };
        var result = new List<StoreFigure>();
        foreach (var (name, filter) in kinds)
        {
            // Warm-up: JIT tiers and SQLite's page cache, on other filter values than the timed ones where they vary.
            for (int i = 0; i < Math.Min(50, s.Queries); i++)
                c.Query(SyntheticVectors.Row(queries, s.Dimensions, i), 10, filter(i + 37));
            var times = new double[s.Queries];
            for (int i = 0; i < s.Queries; i++)
            {
                var where = filter(i);
                long start = Stopwatch.GetTimestamp();
                var hits = c.Query(SyntheticVectors.Row(queries, s.Dimensions, i), 10, where);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                // Every filter value is held by at least one record (count >= 100), so an empty answer is a bug, not a result.
                if (hits.Count == 0)
                    throw new InvalidOperationException(ReportTables.F($"query {i} ({name}) returned no hits"));
            }
            Array.Sort(times);
            result.Add(new StoreFigure("query k=10", name, times.Average(), "ms", Summary.Percentile(times, 0.5), Summary.Percentile(times, 0.99)));
        }
        return result;
    }

    private static string Id(int i) => "r" + i.ToString(CultureInfo.InvariantCulture);

    private static void AddBatches(Collection c, float[] data, int dims, int from, int to)
    {
        for (int start = from; start < to; start += Batch)
        {
            int n = Math.Min(Batch, to - start);
            c.Add([.. Enumerable.Range(start, n).Select(Id)],
                [.. Enumerable.Range(start, n).Select(i => SyntheticVectors.Row(data, dims, i).ToArray())],
                metadatas: [.. Enumerable.Range(start, n).Select(i => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["mod"] = (long)(i % 100) })]);
        }
    }

    private static void AddSingles(Collection c, float[] data, int dims, int from, int to)
    {
        for (int i = from; i < to; i++)
            c.Add(Id(i), SyntheticVectors.Row(data, dims, i).ToArray(), metadata: new Dictionary<string, object?> { ["mod"] = (long)(i % 100) });
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static IReadOnlyList<TableData> Tables(StoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plain = report.Figures.Where(f => f.P50 is null).Select(f => (IReadOnlyList<string>)
            [f.Group, f.Measurement, f.Unit == "records/s" ? ReportTables.F($"{f.Value:N0}") : f.Unit.StartsWith('×') ? ReportTables.F($"{f.Value:F3}") : ReportTables.F($"{f.Value:F1}"), f.Unit]).ToArray();
        var latency = report.Figures.Where(f => f.P50 is not null).Select(f => (IReadOnlyList<string>)
            [f.Measurement, ReportTables.F($"{f.P50:F3}"), ReportTables.F($"{f.P99:F3}"), ReportTables.F($"{f.Value:F3}")]).ToArray();
        return
        [
            new TableData(ReportTables.F($"NativeHnsw.Storage: {report.Count:N0} records × {report.Dimensions} (cosine, M=16, ef_construction=100)"), ["what", "measurement", "value", "unit"], plain),
            new TableData(ReportTables.F($"Query latency at {report.Count:N0} records, k=10, documents and metadata returned (ms)"), ["query", "p50", "p99", "mean"], latency),
        ];
    }

    /// <summary>A change shipper running beside the bench's writer, one round a second, until stopped.</summary>
    private sealed class Shipping(string store, string target) : IDisposable
    {
        private readonly NativeHnsw.Backup.ChangeShipper _shipper = new(store, new NativeHnsw.Backup.LocalFolderTarget(target));
        private readonly CancellationTokenSource _stop = new();
        private Task? _running;
        private long _commits;

        public void Start()
        {
            var first = _shipper.ShipOnce();
            if (!first.Ok)
                throw new InvalidOperationException("shipping could not start: " + first.Problem);
            _running = Task.Run(() => _shipper.RunAsync(new Counter(r => Interlocked.Add(ref _commits, r.Commits)), _stop.Token));
        }

        /// <summary>Stops after a last round; returns the commits shipped.</summary>
        public long Stop()
        {
            _stop.Cancel();
            _running?.GetAwaiter().GetResult();
            _running = null;
            return Interlocked.Read(ref _commits);
        }

        public void Dispose()
        {
            if (_running is not null)
                Stop();
            _shipper.Dispose();
            _stop.Dispose();
        }

        private sealed class Counter(Action<NativeHnsw.Backup.ShipReport> report) : IProgress<NativeHnsw.Backup.ShipReport>
        {
            public void Report(NativeHnsw.Backup.ShipReport value) => report(value);
        }
    }
}

using System.Diagnostics;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Interop;
using NativeHnsw.Testing;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// Runs every requested engine on the same vectors with the same M, ef_construction and metric, one after the other in
/// this process: build (one thread and all cores), the ef sweep, then save / load / open. Our memory-mapped variant is
/// the in-memory index saved and opened, so it shares the build.
/// </summary>
public sealed class EngineBench
{
    private readonly CompareSettings _settings;
    private readonly Dataset _dataset;
    private readonly int[][] _truth;
    private readonly DistanceMetric _metric;
    private readonly ConsoleUi _ui;
    private readonly string _workDirectory;

    public EngineBench(CompareSettings settings, Dataset dataset, int[][] truth, DistanceMetric metric, ConsoleUi ui, string workDirectory)
    {
        _settings = settings;
        _dataset = dataset;
        _truth = truth;
        _metric = metric;
        _ui = ui;
        _workDirectory = workDirectory;
    }

    private HnswOptions Options => new()
    {
        Dimensions = _dataset.Base.Dimensions,
        Metric = _metric,
        M = _settings.M,
        EfConstruction = _settings.EfConstruction,
        InitialCapacity = _dataset.Base.Count,
    };

    public IReadOnlyList<EngineResult> RunAll()
    {
        var results = new List<EngineResult>();
        var engines = _settings.Engines;
        if (engines.Contains(EngineNames.NativeHnsw) || engines.Contains(EngineNames.NativeHnswMapped))
            results.AddRange(RunOurs(engines.Contains(EngineNames.NativeHnsw), engines.Contains(EngineNames.NativeHnswMapped)));
        if (engines.Contains(EngineNames.Faiss))
            results.Add(RunNative(VectorEngineFactory.Faiss));
        if (engines.Contains(EngineNames.Hnswlib))
            results.Add(RunNative(VectorEngineFactory.Hnswlib));
        return results;
    }

    private IEnumerable<EngineResult> RunOurs(bool inMemory, bool mapped)
    {
        var factory = VectorEngineFactory.NativeHnsw;
        var (one, all) = Builds(factory, out var engine);
        using (engine)
        {
            var sweep = inMemory ? Sweep(engine, EngineNames.NativeHnsw) : [];
            string file = Path.Combine(_workDirectory, "nativehnsw.index");
            var save = _ui.Step($"{EngineNames.NativeHnsw}: save ×{_settings.Repeats}", () => TimeSave(engine, file));
            long fileBytes = new FileInfo(file).Length;
            var (load, firstAfterLoad) = _ui.Step($"{EngineNames.NativeHnsw}: load ×{_settings.Repeats}", () => TimeLoad(path => HnswIndexEngine.Load(path, Options), file));
            var verify = _ui.Step($"{EngineNames.NativeHnsw}: verify ×{_settings.Repeats}", () => Summary.TimeMilliseconds(1, _settings.Repeats, () => HnswIndex.Verify(file)));
            var (open, firstAfterOpen) = _ui.Step($"{EngineNames.NativeHnsw}: memory-mapped open ×{_settings.Repeats}", () => TimeLoad(path => HnswIndexEngine.Open(path, Options), file));
            double? cold = ColdFirstQuery(file);
            double? perVector = engine.MemoryBytes is { } bytes ? (double)bytes / engine.Count : null;
            if (inMemory)
            {
                yield return new EngineResult(EngineNames.NativeHnsw, true, null, one, all, sweep,
                    new PersistenceResult(save, load, null, verify, firstAfterLoad, null, null, fileBytes, perVector), null);
            }
            if (mapped)
            {
                using var mappedEngine = HnswIndexEngine.Open(file, Options);
                var mappedSweep = Sweep(mappedEngine, EngineNames.NativeHnswMapped);
                double? mappedPerVector = mappedEngine.MemoryBytes is { } mb ? (double)mb / mappedEngine.Count : null;
                yield return new EngineResult(EngineNames.NativeHnswMapped, true, null, null, null, mappedSweep,
                    new PersistenceResult(null, null, open, null, null, firstAfterOpen, cold, fileBytes, mappedPerVector),
                    $"the {EngineNames.NativeHnsw} index saved and memory-mapped read-only: no build of its own; memory counts mapped file pages");
            }
        }
    }

    private EngineResult RunNative(VectorEngineFactory factory)
    {
        if (!factory.IsAvailable)
            return new EngineResult(factory.Name, false, factory.UnavailableReason, null, null, [], null, null);
        var (one, all) = Builds(factory, out var engine);
        using (engine)
        {
            var sweep = Sweep(engine, factory.Name);
            string file = Path.Combine(_workDirectory, factory.Name.ToLowerInvariant() + ".index");
            var save = _ui.Step($"{factory.Name}: save ×{_settings.Repeats}", () => TimeSave(engine, file));
            long fileBytes = new FileInfo(file).Length;
            var (load, firstAfterLoad) = _ui.Step($"{factory.Name}: load ×{_settings.Repeats}", () => TimeLoad(path => factory.Load(path, Options), file));
            double? perVector = engine.MemoryBytes is { } bytes ? (double)bytes / engine.Count : null;
            File.Delete(file);
            return new EngineResult(factory.Name, true, null, one, all, sweep,
                new PersistenceResult(save, load, null, null, firstAfterLoad, null, null, fileBytes, perVector),
                "allocations per query are the managed wrapper's only; native allocations are not counted");
        }
    }

    private (BuildResult? One, BuildResult All) Builds(VectorEngineFactory factory, out IVectorEngine engine)
    {
        var labels = Datasets.RowLabels(_dataset.Base.Count);
        BuildResult? one = null;
        if (_settings.BuildOneThread && _settings.Threads > 1)
        {
            using var single = factory.Create(Options);
            one = _ui.Step($"{factory.Name}: build, 1 thread", () => Build(single, labels, 1));
        }
        var built = factory.Create(Options);
        try
        {
            var all = _ui.Step($"{factory.Name}: build, {_settings.Threads} threads", () => Build(built, labels, _settings.Threads));
            if (_settings.Threads == 1)
                one = all;
            engine = built;
            return (one, all);
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    private BuildResult Build(IVectorEngine engine, long[] labels, int threads)
    {
        long start = Stopwatch.GetTimestamp();
        engine.AddBatch(labels, _dataset.Base.Data, threads);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new BuildResult(threads, seconds, _dataset.Base.Count / seconds);
    }

    private IReadOnlyList<SearchPoint> Sweep(IVectorEngine engine, string name) =>
        _ui.Step($"{name}: search, ef {string.Join(",", _settings.Efs)} × {_settings.Repeats} passes of {_dataset.Queries.Count:N0} queries", report =>
        {
            SearchSweep.WarmUp(engine, _dataset.Queries, _settings.K, _settings.Efs[0]);
            var points = new List<SearchPoint>();
            foreach (int ef in _settings.Efs)
            {
                points.Add(SearchSweep.Measure(engine, _dataset.Queries, _truth, _settings.K, ef, _settings.Repeats));
                report((double)points.Count / _settings.Efs.Count);
            }
            return (IReadOnlyList<SearchPoint>)points;
        });

    private Summary TimeSave(IVectorEngine engine, string file) =>
        Summary.TimeMilliseconds(1, _settings.Repeats, () => engine.Save(file), () => File.Delete(file));

    /// <summary>Median load (or open) time, and the median latency of the first query on each freshly loaded index.</summary>
    private (Summary Time, double FirstQueryUs) TimeLoad(Func<string, IVectorEngine> load, string file)
    {
        var results = new SearchResult[_settings.K];
        var query = _dataset.Queries.Row(0);
        var times = new List<double>();
        var first = new List<double>();
        float[] warmQuery = query.ToArray();
        Summary.WarmUp(1, () =>
        {
            using var warm = load(file);
            warm.Search(warmQuery, results, _settings.Efs[0]);
        });
        for (int run = 0; run <= _settings.Repeats; run++)
        {
            long start = Stopwatch.GetTimestamp();
            var engine = load(file);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            using (engine)
            {
                start = Stopwatch.GetTimestamp();
                engine.Search(query, results, _settings.Efs[0]);
                double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (run > 0)
                {
                    times.Add(ms);
                    first.Add(us);
                }
            }
        }
        return (Summary.Of(times), Summary.Of(first).Median);
    }

    /// <summary>The first query after opening a file evicted from the page cache: the latency a cold replica pays. Null when eviction failed.</summary>
    private double? ColdFirstQuery(string file)
    {
        if (!PageCache.TryEvict(file))
            return null;
        var results = new SearchResult[_settings.K];
        using var engine = HnswIndexEngine.Open(file, Options);
        long start = Stopwatch.GetTimestamp();
        engine.Search(_dataset.Queries.Row(0), results, _settings.Efs[0]);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
}

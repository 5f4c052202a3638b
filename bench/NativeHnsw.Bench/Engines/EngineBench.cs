using System.Diagnostics;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// Runs every requested engine on the same vectors with the same M, ef_construction and metric in this process, with
/// the engines' work interleaved so that drift of the machine lands on all of them alike: the one-thread builds in
/// engine order, the all-cores builds in reverse order; for each ef, rounds of one pass per engine (A B C D, A B C D, …);
/// save, load and open likewise in rounds. Our memory-mapped variant is the in-memory index saved and opened, so it
/// shares the build; so do USearch's views.
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

    /// <summary>The ef USearch's C# wrapper is built with (it cannot change it later): the middle of the sweep.</summary>
    private int WrapperEf => _settings.Efs[_settings.Efs.Count / 2];

    public IReadOnlyList<EngineResult> RunAll()
    {
        var requested = _settings.Engines;
        bool ours = requested.Contains(EngineNames.NativeHnsw) || requested.Contains(EngineNames.NativeHnswMapped);
        var unavailable = new Dictionary<string, string>();
        var built = new List<Participant>();
        foreach (var candidate in Candidates(ours))
        {
            if (!requested.Contains(candidate.Name) && !(candidate.Name == EngineNames.NativeHnsw && ours))
                continue;
            if (candidate.Unavailable is { } why)
                unavailable[candidate.Name] = why;
            else
                built.Add(candidate);
        }
        var all = new List<Participant>(built);
        try
        {
            if (_settings.SameGraph is { } source)
            {
                ShareOneGraph(source, built, unavailable);
                all.RemoveAll(p => !built.Contains(p));
            }
            else
                Build(built);
            if (_settings.WrapperSweep)
                SweepTheWrapper(built);
            var mine = built.FirstOrDefault(p => p.Name == EngineNames.NativeHnsw);
            if (mine is not null && requested.Contains(EngineNames.NativeHnswMapped))
            {
                mine.Engine!.Save(mine.File);
                all.Insert(1, new Participant(EngineNames.NativeHnswMapped, factory: null, _workDirectory)
                {
                    Engine = HnswIndexEngine.Open(mine.File, Options),
                    Note = $"the {EngineNames.NativeHnsw} index saved and memory-mapped read-only: no build of its own; memory counts mapped file pages",
                });
            }
            var swept = all.Where(p => requested.Contains(p.Name)).ToList();
            var sweeps = Sweep(swept);
            var persistence = Persist(built);
            var results = new List<EngineResult>();
            foreach (string name in EngineNames.All.Where(requested.Contains))
            {
                if (unavailable.TryGetValue(name, out string? why))
                {
                    results.Add(new EngineResult(name, false, why, null, null, [], null, null));
                    continue;
                }
                var p = all.First(x => x.Name == name);
                results.Add(new EngineResult(name, true, null, p.One, p.All, sweeps.GetValueOrDefault(name, []), persistence.GetValueOrDefault(name), p.Note));
            }
            return results;
        }
        finally
        {
            foreach (var p in all)
                p.Engine?.Dispose();
        }
    }

    /// <summary>What <see cref="RunAll"/> searched when every engine shared one graph (<see cref="CompareSettings.SameGraph"/>); null otherwise.</summary>
    public string? GraphDescription { get; private set; }

    /// <summary>
    /// Builds the graph once in <paramref name="source"/> and gives it to every engine that can load it; the others
    /// move to <paramref name="unavailable"/> with why. Only the builder has a build row.
    /// </summary>
    private void ShareOneGraph(string source, List<Participant> engines, Dictionary<string, string> unavailable)
    {
        foreach (var p in engines.Where(p => !SameGraph.Engines.Contains(p.Name)).ToArray())
        {
            unavailable[p.Name] = p.Name.StartsWith(EngineNames.Usearch, StringComparison.Ordinal) ? SameGraph.UsearchReason : SameGraph.QuantizedReason;
            engines.Remove(p);
        }
        if (engines.All(p => p.Name != source))
            throw new BenchInputException(unavailable.TryGetValue(source, out string? why)
                ? $"--same-graph {source}: {source} is unavailable ({why})."
                : $"--same-graph {source}: {source} must be among --engines.");
        using var graph = _ui.Step($"{source}: build the shared graph, {_settings.Threads} threads; export and import it", _dataset.Base.Count, "vectors",
            report => SameGraph.Create(source, engines.Select(p => p.Name).ToArray(), Options, _dataset.Base.Data, _settings.Threads, _workDirectory, report));
        foreach (var p in engines)
        {
            p.Engine = graph.Take(p.Name);
            if (p.Name == source)
            {
                p.All = new BuildResult(graph.Threads, graph.BuildSeconds, _dataset.Base.Count / graph.BuildSeconds);
                p.One = graph.Threads == 1 ? p.All : null;
            }
            else
                p.Note = (p.Note is null ? "" : p.Note + "; ") + $"searches {source}'s graph (no build of its own)";
        }
        GraphDescription = graph.Description;
    }

    /// <summary>
    /// With --wrapper-sweep: the wrapper's timed build (at the middle ef) gets a sibling for every other ef, built
    /// untimed on one thread from the same rows, so its row covers the whole sweep (<see cref="WrapperSweep"/>).
    /// </summary>
    private void SweepTheWrapper(List<Participant> engines)
    {
        var p = engines.FirstOrDefault(p => p.Name == EngineNames.UsearchWrapper);
        if (p?.Engine is not UsearchWrapperEngine built)
            return;
        var labels = SyntheticVectors.RowLabels(_dataset.Base.Count);
        int more = _settings.Efs.Distinct().Count(ef => ef != built.FixedEf);
        p.Engine = _ui.Step($"{p.Name}: {more} more builds, one per ef (the wrapper takes the expansion only at construction)", (long)more * labels.Length, "vectors",
            report => WrapperSweep.Build(p.OptionsOverride ?? Options, _settings.Efs, labels, _dataset.Base.Data, report, built));
        p.OnlyEf = null;
        p.Note = $"USearch's own C# wrapper, as a .NET user gets it: the expansion is fixed at construction and a loaded index searches at USearch's default, so each ef has its own index, built from the same rows on one thread (one graph); the build row is the one at ef {built.FixedEf}; allocates its result arrays per search";
    }

    /// <summary>Every engine that can build, in report order, with why it cannot when its library is missing.</summary>
    private IEnumerable<Participant> Candidates(bool ours)
    {
        if (ours)
            yield return new Participant(EngineNames.NativeHnsw, VectorEngineFactory.NativeHnsw, _workDirectory) { SavesWithFsync = true, Open = path => HnswIndexEngine.Open(path, Options) };
        yield return new Participant(EngineNames.NativeHnswI8, VectorEngineFactory.NativeHnswInt8, _workDirectory)
        {
            SavesWithFsync = true,
            Open = path => HnswIndexEngine.Open(path, Options),
            Note = "int8 rows walked, the ef candidates re-ranked with float32; the graph is built on float32",
        };
        yield return new Participant(EngineNames.NativeHnswF16, VectorEngineFactory.NativeHnswFloat16, _workDirectory)
        {
            SavesWithFsync = true,
            Open = path => HnswIndexEngine.Open(path, Options),
            Note = "float16 rows walked, the ef candidates re-ranked with float32; the graph is built on float32",
        };
        yield return new Participant(EngineNames.Faiss, VectorEngineFactory.Faiss, _workDirectory) { Note = NativeNote };
        yield return new Participant(EngineNames.Hnswlib, VectorEngineFactory.Hnswlib, _workDirectory) { Note = NativeNote };
        yield return new Participant(EngineNames.Usearch, VectorEngineFactory.Usearch, _workDirectory) { Note = NativeNote, Open = path => UsearchEngine.View(path, Options) };
        yield return new Participant(EngineNames.UsearchF16, VectorEngineFactory.UsearchF16, _workDirectory) { Note = NativeNote, Open = path => UsearchEngine.View(path, Options) };
        yield return new Participant(EngineNames.UsearchI8, VectorEngineFactory.UsearchI8, _workDirectory)
        {
            Note = NativeNote,
            Open = path => UsearchEngine.View(path, Options),
            Unavailable = _metric != DistanceMetric.Cosine
                ? $"USearch's i8 quantisation is valid for cosine only, not {_metric}"
                : VectorEngineFactory.UsearchI8.IsAvailable ? null : VectorEngineFactory.UsearchI8.UnavailableReason,
        };
        yield return new Participant(EngineNames.UsearchWrapper, VectorEngineFactory.UsearchWrapper, _workDirectory)
        {
            OnlyEf = WrapperEf,
            OptionsOverride = Options with { DefaultEf = WrapperEf },
            Note = $"USearch's own C# wrapper, as a .NET user gets it: expansion fixed at construction, so only ef {WrapperEf}; one build thread; allocates its result arrays per search",
        };
    }

    private const string NativeNote = "allocations per query are the managed wrapper's only; native allocations are not counted";

    private void Build(List<Participant> engines)
    {
        var labels = SyntheticVectors.RowLabels(_dataset.Base.Count);
        if (_settings.BuildOneThread && _settings.Threads > 1)
        {
            var singles = engines.Where(p => p.OnlyEf is null).ToArray();
            var rounds = singles.ToDictionary(p => p, _ => new List<double>());
            int count = _settings.BuildRounds;
            for (int round = 0; round < count; round++)
            {
                foreach (var p in round % 2 == 0 ? singles : singles.Reverse())
                {
                    using var single = p.Create(Options);
                    string label = count == 1 ? $"{p.Name}: build, 1 thread" : $"{p.Name}: build, 1 thread, round {round + 1} of {count}";
                    rounds[p].Add(_ui.Step(label, _dataset.Base.Count, "vectors", report => Build(single, labels, 1, report)).Seconds);
                }
            }
            foreach (var p in singles)
                p.One = BuildResult.OfRounds(1, rounds[p], labels.Length);
        }
        // The other order for the parallel builds: an engine built first above is built last here.
        foreach (var p in Enumerable.Reverse(engines))
        {
            var engine = p.Create(Options);
            p.Engine = engine;
            int threads = p.OnlyEf is null ? _settings.Threads : 1;
            p.All = _ui.Step($"{p.Name}: build, {threads} threads", _dataset.Base.Count, "vectors", report => Build(engine, labels, threads, report));
            if (_settings.Threads == 1 || p.OnlyEf is not null)
                p.One ??= p.All;
        }
    }

    private BuildResult Build(IVectorEngine engine, long[] labels, int threads, Action<long> report)
    {
        double seconds = SlicedBuild.Run(engine, labels, _dataset.Base.Data, _dataset.Base.Dimensions, threads, report);
        return new BuildResult(threads, seconds, labels.Length / seconds);
    }

    private IReadOnlyDictionary<string, IReadOnlyList<SearchPoint>> Sweep(List<Participant> engines)
    {
        var sweepEngines = engines.Select(p => new SweepEngine(p.Name, p.Engine!, p.OnlyEf)).ToArray();
        long total = (long)_dataset.Queries.Count * _settings.Repeats * _settings.Efs.Sum(ef => sweepEngines.Count(e => e.Accepts(ef)));
        return _ui.Step(
            $"search, interleaved: ef {string.Join(",", _settings.Efs)} × {_settings.Repeats} rounds × {sweepEngines.Length} engines of {_dataset.Queries.Count:N0} queries",
            total, "queries",
            report => SearchSweep.RunInterleaved(sweepEngines, _dataset.Queries, _truth, _settings.K, _settings.Efs, _settings.Repeats, EngineNames.NativeHnsw, report));
    }

    /// <summary>Save (and save + fsync), load and open in rounds across the engines; verify and the cold query for ours.</summary>
    private Dictionary<string, PersistenceResult> Persist(List<Participant> engines)
    {
        var results = new Dictionary<string, PersistenceResult>();
        if (engines.Count == 0)
            return results;
        int repeats = _settings.Repeats;
        var save = engines.ToDictionary(p => p.Name, _ => new List<double>());
        var durable = engines.ToDictionary(p => p.Name, _ => new List<double>());
        _ui.Step($"save and save + fsync, interleaved × {repeats} rounds", (long)repeats * engines.Count, "saves", report =>
        {
            foreach (var p in engines)
                Summary.WarmUp(1, () => Save(p, fsync: false));
            for (int round = 0; round < repeats; round++)
            {
                foreach (var p in engines)
                {
                    save[p.Name].Add(Save(p, fsync: false));
                    durable[p.Name].Add(p.SavesWithFsync ? save[p.Name][^1] : Save(p, fsync: true));
                }
                report((long)(round + 1) * engines.Count);
            }
            return 0;
        });

        var load = engines.ToDictionary(p => p.Name, _ => new List<double>());
        var loadFirst = engines.ToDictionary(p => p.Name, _ => new List<double>());
        var checksumLoad = new List<double>();
        var open = engines.ToDictionary(p => p.Name, _ => new List<double>());
        var openFirst = engines.ToDictionary(p => p.Name, _ => new List<double>());
        _ui.Step($"load and memory-mapped open, interleaved × {repeats} rounds", (long)repeats * engines.Count, "loads", report =>
        {
            foreach (var p in engines)
            {
                Summary.WarmUp(1, () => TimeOpen(path => p.Load(path, Options), p.File));
                if (p.Name == EngineNames.NativeHnsw)
                    Summary.WarmUp(1, () => TimeOpen(LoadChecksums, p.File));
                if (p.Open is not null)
                    Summary.WarmUp(1, () => TimeOpen(p.Open, p.File));
            }
            for (int round = 0; round < repeats; round++)
            {
                foreach (var p in engines)
                {
                    var (ms, us) = TimeOpen(path => p.Load(path, Options), p.File);
                    load[p.Name].Add(ms);
                    loadFirst[p.Name].Add(us);
                    if (p.Name == EngineNames.NativeHnsw)
                        checksumLoad.Add(TimeOpen(LoadChecksums, p.File).Ms);
                    if (p.Open is not null)
                    {
                        (ms, us) = TimeOpen(p.Open, p.File);
                        open[p.Name].Add(ms);
                        openFirst[p.Name].Add(us);
                    }
                }
                report((long)(round + 1) * engines.Count);
            }
            return 0;
        });

        foreach (var p in engines)
        {
            long fileBytes = new FileInfo(p.File).Length;
            double? perVector = PerVector(p.Engine!.MemoryBytes, p.Engine.Count);
            double? searchPerVector = PerVector(p.Engine.SearchMemoryBytes, p.Engine.Count);
            Summary? verify = null;
            double? cold = null;
            if (p.Name == EngineNames.NativeHnsw)
            {
                verify = _ui.Step($"{p.Name}: verify ×{repeats}", () => Summary.TimeMilliseconds(1, repeats, () => HnswIndex.Verify(p.File)));
                cold = ColdFirstQuery(p.File);
            }
            bool opens = open[p.Name].Count > 0;
            bool ours = p.Name == EngineNames.NativeHnsw && checksumLoad.Count > 0;
            var rounds = new PersistenceRounds(save[p.Name], durable[p.Name], load[p.Name], open[p.Name], ours ? checksumLoad : null);
            // Our mapped open gets a row of its own (NativeHnsw-mmap); USearch's view stays on its engine's row.
            bool ownMappedRow = p.Name == EngineNames.NativeHnsw;
            results[p.Name] = new PersistenceResult(
                Summary.Of(save[p.Name]), Summary.Of(load[p.Name]), opens && !ownMappedRow ? Summary.Of(open[p.Name]) : null, verify,
                Summary.Of(loadFirst[p.Name]).Median, opens && !ownMappedRow ? Summary.Of(openFirst[p.Name]).Median : null, null,
                fileBytes, perVector, p.SavesWithFsync, p.SavesWithFsync ? null : Summary.Of(durable[p.Name]), rounds, searchPerVector,
                ours ? Summary.Of(checksumLoad) : null);
            if (ownMappedRow && opens)
            {
                var (mappedMemory, mappedSearch) = MappedMemoryPerVector(p.File);
                results[EngineNames.NativeHnswMapped] = new PersistenceResult(null, null, Summary.Of(open[p.Name]), null, null,
                    Summary.Of(openFirst[p.Name]).Median, cold, fileBytes, mappedMemory, SavesWithFsync: true,
                    Rounds: new PersistenceRounds([], [], [], open[p.Name]), SearchBytesPerVector: mappedSearch);
            }
            File.Delete(p.File);
        }
        return results;
    }

    /// <summary>One timed save to a fresh file; with <paramref name="fsync"/>, followed by an fsync of the file and its folder.</summary>
    private static double Save(Participant p, bool fsync)
    {
        File.Delete(p.File);
        long start = Stopwatch.GetTimestamp();
        if (fsync)
            Persistence.PeerPersistence.SaveAndFsync(p.Engine!, p.File);
        else
            p.Engine!.Save(p.File);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>One load (or open) and the latency of the first query on the freshly loaded index.</summary>
    private IVectorEngine LoadChecksums(string path) => HnswIndexEngine.Load(path, Options, LoadCheck.Checksums);

    private (double Ms, double FirstQueryUs) TimeOpen(Func<string, IVectorEngine> load, string file)
    {
        var results = new SearchResult[_settings.K];
        var query = _dataset.Queries.Row(0);
        long start = Stopwatch.GetTimestamp();
        var engine = load(file);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        using (engine)
        {
            int ef = engine is UsearchWrapperEngine wrapper ? wrapper.FixedEf : _settings.Efs[0];
            start = Stopwatch.GetTimestamp();
            engine.Search(query, results, ef);
            return (ms, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    private (double? Memory, double? Search) MappedMemoryPerVector(string file)
    {
        using var mapped = HnswIndexEngine.Open(file, Options);
        return (PerVector(mapped.MemoryBytes, mapped.Count), PerVector(mapped.SearchMemoryBytes, mapped.Count));
    }

    private static double? PerVector(long? bytes, long count) => bytes is { } b ? (double)b / count : null;

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

    /// <summary>One engine of the run: how to make, load and open it, and what was measured of its builds.</summary>
    private sealed class Participant(string name, VectorEngineFactory? factory, string workDirectory)
    {
        public string Name { get; } = name;

        public string? Unavailable { get; init; } = factory is { IsAvailable: false } f ? f.UnavailableReason : null;

        public HnswOptions? OptionsOverride { get; init; }

        public int? OnlyEf { get; set; }

        public bool SavesWithFsync { get; init; }

        public Func<string, IVectorEngine>? Open { get; init; }

        public string? Note { get; set; }

        public IVectorEngine? Engine { get; set; }

        public BuildResult? One { get; set; }

        public BuildResult? All { get; set; }

        public string File { get; } = Path.Combine(workDirectory, name.ToLowerInvariant() + ".index");

        public IVectorEngine Create(HnswOptions options) => factory!.Create(OptionsOverride ?? options);

        public IVectorEngine Load(string path, HnswOptions options) => factory!.Load(path, OptionsOverride ?? options);
    }
}

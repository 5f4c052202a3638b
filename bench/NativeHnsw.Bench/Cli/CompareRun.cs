using System.Diagnostics;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.GroundTruth;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;

namespace NativeHnsw.Bench.Cli;

/// <summary>The comparison run: data, ground truth, every engine, the limits, then the console table and the report files.</summary>
public static class CompareRun
{
    public static RunReport Execute(CompareSettings s, ConsoleUi ui, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ui);
        var startedAt = DateTimeOffset.Now;
        var machine = MachineInfo.Detect();
        foreach (string line in ReportHeader.Lines(s.CommandLine, startedAt, machine))
            ui.Note(line);

        var dataset = ui.Step("load dataset", () => DatasetLoader.Load(s.Dataset));
        var metric = s.Metric ?? dataset.DefaultMetric;
        if (s.K > dataset.Base.Count)
            throw new BenchInputException($"--k {s.K} is larger than the base set ({dataset.Base.Count:N0} vectors).");
        ui.Line($"[bold]{Spectre.Console.Markup.Escape(dataset.Description)}[/]; {metric}, M={s.M}, ef_construction={s.EfConstruction}, k={s.K}");

        var cache = new GroundTruthCache(s.CacheDirectory);
        bool fromCache = false;
        long start = Stopwatch.GetTimestamp();
        var truth = ui.Step($"exact ground truth ({dataset.Queries.Count:N0} queries × {dataset.Base.Count:N0}, SIMD brute force)", report =>
            cache.GetOrCompute(dataset.Base, dataset.Queries, metric, s.K, out fromCache, done => report((double)done / dataset.Queries.Count)));
        double truthSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ui.Note(fromCache ? $"ground truth read from the cache in {cache.Directory}" : $"ground truth cached in {cache.Directory}");

        string work = Path.Combine(outputDirectory, "work");
        Directory.CreateDirectory(work);
        IReadOnlyList<EngineResult> engines;
        MachineLimits limits;
        string? graph;
        try
        {
            var bench = new EngineBench(s, dataset, truth, metric, ui, work);
            engines = bench.RunAll();
            graph = bench.GraphDescription;
            long fileBytes = engines.Where(e => e.Persistence is not null).Select(e => e.Persistence!.FileBytes).DefaultIfEmpty(0).Max();
            limits = ui.Step("machine limits (disk write+fsync, read, memory copy)", () => MachineLimits.Measure(work, fileBytes));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        var notes = new List<string>
        {
            "QPS: one thread, one query at a time, after a one-second warm-up; allocations of FAISS, hnswlib and USearch are their managed wrappers' only.",
            "Interleaved: for each ef, every engine runs one pass in turn, round after round; a ratio to NativeHnsw is the median of the per-round ratios (min–max beside it). Save, load and open alternate the same way.",
            s.BuildRounds > 1
                ? "Builds are fed in 20 slices (for progress); the 1-thread builds run in rounds (see below), the parallel ones once each, in reverse engine order; the 1-thread builds are separate indexes, discarded. Compare engines at equal recall, not at equal ef."
                : "Builds are timed once each, fed in 20 slices (for progress); the 1-thread builds run in engine order, the parallel ones in reverse; the 1-thread build is a separate index, discarded. Compare engines at equal recall, not at equal ef.",
            "NativeHnsw-mmap is NativeHnsw's index saved and memory-mapped read-only, searched in place; USearch's 'mmap open' is its view (usearch_view).",
            "Saves: NativeHnsw's save fsyncs the file and its folder (temp file, fsync, rename, fsync folder); FAISS, hnswlib and USearch do not fsync. 'save + fsync' is their save followed by an fsync of the file and its folder, so durable saves compare like with like.",
            "FAISS and hnswlib have no cosine: they index normalised copies with inner product (the copy is part of their build and query time). USearch has its own cosine.",
            s.WrapperSweep
                ? "USearch-wrapper is the Cloud.Unum.USearch package's C# wrapper: it takes the expansion only at construction (a loaded index searches at USearch's default), so --wrapper-sweep built one wrapper index per ef from the same rows (one graph); it cannot set threads (one build thread) or filter, and allocates its result arrays per search; USearch is the same library through its C API."
                : "USearch-wrapper is the Cloud.Unum.USearch package's C# wrapper: it takes the expansion only at construction and a loaded index searches at USearch's default, so it runs at one ef (--wrapper-sweep builds one wrapper index per ef for the whole sweep); it cannot set threads (one build thread) or filter, and allocates its result arrays per search; USearch is the same library through its C API.",
        };
        if (graph is not null)
            notes.Insert(0, graph + " Search speeds compare walks of one graph, not graph construction.");
        if (!s.BuildOneThread)
            notes.Add("1-thread builds skipped (--builds parallel).");
        else if (s.BuildRounds > 1)
            notes.Add($"--build-rounds {s.BuildRounds}: the 1-thread builds ran {s.BuildRounds} rounds, engines in turn, the order reversed every other round; a build time is the median, and the 1-thread build target's ratio the median of the per-round ratios.");
        if (limits is { ReadIsCold: false })
            notes.Add("The page cache could not be evicted: read speed is a warm page-cache read.");
        var report = new RunReport(s.CommandLine, startedAt, machine, dataset.Name, dataset.Description, dataset.Base.Count, dataset.Queries.Count,
            dataset.Base.Dimensions, metric.ToString(), s.M, s.EfConstruction, s.K, s.Repeats, truthSeconds, fromCache, limits, engines,
            Targets.Check(engines, dataset.Name), notes, graph);
        return report;
    }
}

using System.CommandLine;
using System.Diagnostics;
using NativeHnsw.Interop;
using NativeHnsw.Testing;
using Spectre.Console;

namespace NativeHnsw.Bench;

/// <summary>
/// The comparison harness: every available engine built and searched on the same seeded data with
/// the same parameters in one process, recall measured against exact brute force.
/// </summary>
public static class Harness
{
    public static int Run(string[] args)
    {
        var dataset = new Option<string>("--dataset") { Description = "synthetic (gaussian) or clustered", DefaultValueFactory = _ => "synthetic" };
        var count = new Option<int>("--count") { Description = "base vectors", DefaultValueFactory = _ => 10_000 };
        var dims = new Option<int>("--dims") { Description = "dimensions", DefaultValueFactory = _ => 128 };
        var queries = new Option<int>("--queries") { Description = "query vectors", DefaultValueFactory = _ => 1_000 };
        var metric = new Option<DistanceMetric>("--metric") { Description = "Cosine, L2 or InnerProduct", DefaultValueFactory = _ => DistanceMetric.Cosine };
        var m = new Option<int>("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "HNSW ef_construction", DefaultValueFactory = _ => 200 };
        var efs = new Option<int[]>("--ef") { Description = "search ef values to sweep", DefaultValueFactory = _ => [10, 20, 40, 80, 160, 320], AllowMultipleArgumentsPerToken = true };
        var engines = new Option<string[]>("--engines") { Description = "engines to run (NativeHnsw, FAISS, hnswlib)", DefaultValueFactory = _ => ["NativeHnsw", "FAISS", "hnswlib"], AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "data seed", DefaultValueFactory = _ => 1 };

        var root = new RootCommand("NativeHnsw comparison harness: build, recall and QPS of every engine on the same data.")
        {
            dataset, count, dims, queries, metric, m, efConstruction, efs, engines, seed,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run with --help for the options.");
            return 2;
        }
        if (parsed.Action is not null && args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
            return parsed.Invoke();

        var settings = new Settings(
            parsed.GetValue(dataset)!, parsed.GetValue(count), parsed.GetValue(dims), parsed.GetValue(queries), parsed.GetValue(metric),
            parsed.GetValue(m), parsed.GetValue(efConstruction), parsed.GetValue(efs)!, parsed.GetValue(engines)!, parsed.GetValue(seed));
        string? problem = settings.Problem();
        if (problem is not null)
        {
            Console.Error.WriteLine($"error: {problem}");
            return 2;
        }
        Execute(settings);
        return 0;
    }

    private static void Execute(Settings s)
    {
        AnsiConsole.MarkupLine($"[bold]NativeHnsw harness[/] — {s.Dataset} {s.Count:N0} × {s.Dims}, {s.Queries:N0} queries, {s.Metric}, M={s.M}, ef_construction={s.EfConstruction}");
        AnsiConsole.MarkupLine($"[grey]{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, AVX-512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}[/]");

        float[] data = s.Dataset == "clustered" ? Datasets.Clustered(s.Count, s.Dims, s.Seed) : Datasets.Gaussian(s.Count, s.Dims, s.Seed);
        float[] queryData = s.Dataset == "clustered" ? Datasets.Clustered(s.Queries, s.Dims, s.Seed + 1_000_003) : Datasets.Gaussian(s.Queries, s.Dims, s.Seed + 1_000_003);
        var watch = Stopwatch.StartNew();
        var truth = BruteForce.KNearest(data, queryData, s.Dims, 10, s.Metric);
        AnsiConsole.MarkupLine($"[grey]exact ground truth in {watch.Elapsed.TotalSeconds:F1} s[/]");

        var options = new HnswOptions { Dimensions = s.Dims, Metric = s.Metric, M = s.M, EfConstruction = s.EfConstruction, InitialCapacity = s.Count };
        var labels = Datasets.RowLabels(s.Count);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("engine", "build (s)", "ef", "recall@10", "QPS (1 thread)", "p50 (µs)", "p99 (µs)");
        foreach (var factory in VectorEngineFactory.All.Where(f => s.Engines.Contains(f.Name, StringComparer.OrdinalIgnoreCase)))
        {
            if (!factory.IsAvailable)
            {
                table.AddRow(factory.Name, "unavailable", "", "", "", "", Markup.Escape(factory.UnavailableReason ?? ""));
                continue;
            }
            using var engine = factory.Create(options);
            watch.Restart();
            engine.AddBatch(labels, data);
            double build = watch.Elapsed.TotalSeconds;
            foreach (int ef in s.Efs)
            {
                var r = MeasureSearch(engine, queryData, truth, s.Dims, ef);
                table.AddRow(factory.Name, $"{build:F2}", $"{ef}", $"{r.Recall:F4}", $"{r.Qps:N0}", $"{r.P50:F1}", $"{r.P99:F1}");
            }
        }
        AnsiConsole.Write(table);
    }

    private static (double Recall, double Qps, double P50, double P99) MeasureSearch(IVectorEngine engine, float[] queries, int[][] truth, int dims, int ef)
    {
        int n = truth.Length;
        var results = new SearchResult[10];
        // Warm-up for at least a second: tiered JIT promotes hot methods in the background, and a
        // count-based warm-up can end before the optimised code is installed.
        long warmStart = Stopwatch.GetTimestamp();
        for (int q = 0; q < 200 || Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1.0; q++)
            engine.Search(queries.AsSpan(q % n * dims, dims), results, ef);

        var latencies = new double[n];
        var found = new IReadOnlyList<long>[n];
        long start = Stopwatch.GetTimestamp();
        for (int q = 0; q < n; q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int hits = engine.Search(queries.AsSpan(q * dims, dims), results, ef);
            latencies[q] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            var labels = new long[hits];
            for (int i = 0; i < hits; i++)
                labels[i] = results[i].Label;
            found[q] = labels;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Array.Sort(latencies);
        return (Recall.AtK(found, truth, 10), n / seconds, latencies[n / 2], latencies[Math.Min(n - 1, (int)(n * 0.99))]);
    }

    private sealed record Settings(string Dataset, int Count, int Dims, int Queries, DistanceMetric Metric, int M, int EfConstruction, int[] Efs, string[] Engines, int Seed)
    {
        public string? Problem()
        {
            if (Dataset is not ("synthetic" or "clustered"))
                return $"unknown dataset '{Dataset}'; use synthetic or clustered.";
            if (Count < 10 || Count > 50_000_000)
                return $"--count {Count} is out of range (10 to 50,000,000).";
            if (Dims is < 1 or > HnswOptions.MaxDimensions)
                return $"--dims {Dims} is out of range (1 to {HnswOptions.MaxDimensions}).";
            if (Queries < 1)
                return "--queries must be at least 1.";
            if (M is < 2 or > HnswOptions.MaxM)
                return $"--m {M} is out of range (2 to {HnswOptions.MaxM}).";
            if (EfConstruction < 1)
                return "--ef-construction must be at least 1.";
            if (Efs.Length == 0 || Efs.Any(e => e < 1))
                return "--ef values must be positive.";
            var known = VectorEngineFactory.All.Select(f => f.Name).ToArray();
            var unknown = Engines.Where(e => !known.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (unknown.Length > 0)
                return $"unknown engine(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}.";
            return null;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Persistence;

/// <summary>
/// <c>coldstart --file F [--size N] [--dims D] [--int8] [--rounds R] [--threads T]</c>: the first queries on a memory-mapped
/// index whose file was just evicted from the page cache, without <see cref="HnswIndex.Warm(WarmScope)"/> and after it with each scope, in
/// interleaved rounds. Builds and saves the file first when it does not exist (gaussian, M=16, ef_construction=32,
/// labels 0..N−1; untimed), so a large file is built once and measured many times.
/// </summary>
internal static class ColdStart
{
    public static int Run(string[] args)
    {
        string? file = null;
        int size = 1_000_000, dims = 128, rounds = 3, threads = Environment.ProcessorCount, queries = 5;
        bool int8 = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new BenchInputException($"coldstart: {args[i]} needs a value");
            switch (args[i])
            {
                case "--file": file = Next(); break;
                case "--size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dims": dims = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--queries": queries = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--int8": int8 = true; break;
                default: throw new BenchInputException($"coldstart: unknown argument {args[i]}");
            }
        }
        if (file is null)
            throw new BenchInputException("coldstart: --file is required");
        if (!File.Exists(file))
            Build(file, size, dims, int8, threads);
        var query = SyntheticVectors.Gaussian(queries, dims, 1_000_003);
        Console.WriteLine($"coldstart {string.Join(' ', args)}: {new FileInfo(file).Length / 1e6:F1} MB, ef=40, k=10, first {queries} distinct queries; machine shared");
        Console.WriteLine("round | warm | evicted | open ms | Warm ms | 1st query ms | next queries ms (mean)");
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var warm in (ReadOnlySpan<WarmScope?>)[null, WarmScope.Search, WarmScope.File])
            {
                bool evicted = PageCache.TryEvict(file);
                long start = Stopwatch.GetTimestamp();
                using var index = HnswIndex.Open(file);
                double open = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                start = Stopwatch.GetTimestamp();
                if (warm is { } scope)
                    index.Warm(scope);
                double warmMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var results = new SearchResult[10];
                start = Stopwatch.GetTimestamp();
                index.Search(query.AsSpan(0, dims), results, 40);
                double first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                start = Stopwatch.GetTimestamp();
                for (int q = 1; q < queries; q++)
                    index.Search(query.AsSpan(q * dims, dims), results, 40);
                double next = queries > 1 ? Stopwatch.GetElapsedTime(start).TotalMilliseconds / (queries - 1) : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{round} | {(warm is { } w ? $"Warm({w})" : "none")} | {evicted} | {open:F2} | {warmMs:F1} | {first:F2} | {next:F2}"));
            }
        }
        return 0;
    }

    private static void Build(string file, int size, int dims, bool int8, int threads)
    {
        Console.WriteLine($"coldstart: building {size:N0} × {dims} gaussian into {file} ({threads} threads, untimed)");
        var options = new HnswOptions
        {
            Dimensions = dims,
            M = 16,
            EfConstruction = 32,
            InitialCapacity = size,
            Quantization = int8 ? VectorQuantization.Int8 : VectorQuantization.None,
        };
        using var index = new HnswIndex(options);
        index.AddRange(SyntheticVectors.RowLabels(size), SyntheticVectors.Gaussian(size, dims, 7), threads);
        index.Save(file);
    }
}

using System.Diagnostics;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// The search measurement: one thread, one query at a time, every query of the set per pass, <c>repeats</c> timed passes
/// per ef after a warm-up. Recall is that of the first pass (searches are deterministic for a given index and ef).
/// </summary>
public static class SearchSweep
{
    public static IReadOnlyList<SearchPoint> Run(IVectorEngine engine, VectorSet queries, int[][] truth, int k, IReadOnlyList<int> efs, int repeats)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(efs);
        WarmUp(engine, queries, k, efs[0]);
        return efs.Select(ef => Measure(engine, queries, truth, k, ef, repeats)).ToArray();
    }

    /// <summary>
    /// At least a second of queries: tiered JIT promotes hot methods in the background, and a count-based warm-up can
    /// end before the optimised code is installed.
    /// </summary>
    public static void WarmUp(IVectorEngine engine, VectorSet queries, int k, int ef)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(queries);
        var results = new SearchResult[k];
        long start = Stopwatch.GetTimestamp();
        for (int q = 0; q < 200 || Stopwatch.GetElapsedTime(start).TotalSeconds < 1.0; q++)
            engine.Search(queries.Row(q % queries.Count), results, ef);
    }

    public static SearchPoint Measure(IVectorEngine engine, VectorSet queries, int[][] truth, int k, int ef, int repeats)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(truth);
        int n = queries.Count;
        var results = new SearchResult[k];
        for (int q = 0; q < Math.Min(n, 100); q++)
            engine.Search(queries.Row(q), results, ef);

        var found = new long[n * k];
        var hitCounts = new int[n];
        var latencies = new double[n * repeats];
        var qps = new double[repeats];
        long allocated = 0;
        for (int rep = 0; rep < repeats; rep++)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long passStart = Stopwatch.GetTimestamp();
            for (int q = 0; q < n; q++)
            {
                long t0 = Stopwatch.GetTimestamp();
                int hits = engine.Search(queries.Row(q), results, ef);
                latencies[rep * n + q] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (rep == 0)
                {
                    hitCounts[q] = hits;
                    for (int i = 0; i < hits; i++)
                        found[q * k + i] = results[i].Label;
                }
            }
            qps[rep] = n / Stopwatch.GetElapsedTime(passStart).TotalSeconds;
            allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        }
        Array.Sort(latencies);
        return new SearchPoint(ef, RecallAtK(found, hitCounts, truth, k), Summary.Of(qps),
            Summary.Percentile(latencies, 0.50), Summary.Percentile(latencies, 0.99), Summary.Percentile(latencies, 0.999),
            (double)allocated / (n * repeats));
    }

    /// <summary>The share of the true k nearest (row numbers = labels) that the searches returned.</summary>
    public static double RecallAtK(long[] found, int[] hitCounts, int[][] truth, int k)
    {
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(hitCounts);
        ArgumentNullException.ThrowIfNull(truth);
        long hits = 0, total = 0;
        for (int q = 0; q < truth.Length; q++)
        {
            var expected = truth[q].AsSpan(0, Math.Min(k, truth[q].Length));
            total += expected.Length;
            for (int i = 0; i < hitCounts[q]; i++)
            {
                long label = found[q * k + i];
                if (label <= int.MaxValue && expected.Contains((int)label))
                    hits++;
            }
        }
        return total == 0 ? 1.0 : (double)hits / total;
    }
}

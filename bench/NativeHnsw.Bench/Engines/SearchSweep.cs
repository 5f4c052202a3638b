using System.Diagnostics;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// The search measurement: one thread, one query at a time, every query of the set per pass, <c>repeats</c> timed passes
/// per ef after a warm-up, the engines' passes interleaved. Recall is that of the first pass (searches are deterministic
/// for a given index and ef).
/// </summary>
public static class SearchSweep
{
    /// <summary>
    /// The sweep with the engines' passes interleaved: for each ef, <paramref name="repeats"/> rounds, and in each round
    /// one pass of every engine in turn (A B C D, A B C D, …), so a slow drift of the machine (another process, the
    /// CPU's clock) lands on every engine alike. Each engine's ratio to <paramref name="reference"/> is the median of the
    /// per-round ratios. An engine whose <see cref="SweepEngine.Accepts"/> rejects an ef skips it.
    /// </summary>
    /// <param name="progress">Called with the number of queries run so far, from the calling thread.</param>
    public static IReadOnlyDictionary<string, IReadOnlyList<SearchPoint>> RunInterleaved(
        IReadOnlyList<SweepEngine> engines, VectorSet queries, int[][] truth, int k, IReadOnlyList<int> efs, int repeats, string reference,
        Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(engines);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(efs);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        foreach (var e in engines)
            WarmUp(e.Engine, queries, k, efs.FirstOrDefault(e.Accepts, efs[0]));
        var points = engines.ToDictionary(e => e.Name, _ => new List<SearchPoint>());
        long done = 0;
        foreach (int ef in efs)
        {
            var running = engines.Where(e => e.Accepts(ef)).ToArray();
            var passes = running.ToDictionary(e => e.Name, e => new PassSet(queries.Count, k, repeats));
            foreach (var e in running)
                Prime(e.Engine, queries, k, ef);
            for (int rep = 0; rep < repeats; rep++)
            {
                foreach (var e in running)
                {
                    passes[e.Name].Run(e.Engine, queries, ef, rep);
                    done += queries.Count;
                    progress?.Invoke(done);
                }
            }
            passes.TryGetValue(reference, out var ours);
            foreach (var e in running)
            {
                var set = passes[e.Name];
                Summary? ratio = ours is null || ReferenceEquals(set, ours)
                    ? null
                    : Summary.Of(Enumerable.Range(0, repeats).Select(r => set.Qps[r] / ours.Qps[r]).ToArray());
                points[e.Name].Add(set.ToPoint(ef, truth, ratio));
            }
        }
        return points.ToDictionary(p => p.Key, p => (IReadOnlyList<SearchPoint>)p.Value);
    }

    /// <summary>One engine's sweep on its own (every ef, <paramref name="repeats"/> passes each).</summary>
    public static IReadOnlyList<SearchPoint> Run(IVectorEngine engine, VectorSet queries, int[][] truth, int k, IReadOnlyList<int> efs, int repeats)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return RunInterleaved([new SweepEngine(engine.Name, engine)], queries, truth, k, efs, repeats, engine.Name)[engine.Name];
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

    /// <summary>A few untimed queries at the new ef, so its first timed query does not pay for setting it.</summary>
    private static void Prime(IVectorEngine engine, VectorSet queries, int k, int ef)
    {
        var results = new SearchResult[k];
        for (int q = 0; q < Math.Min(queries.Count, 100); q++)
            engine.Search(queries.Row(q), results, ef);
    }

    /// <summary>The timed passes of one engine at one ef.</summary>
    private sealed class PassSet(int n, int k, int repeats)
    {
        private readonly long[] _found = new long[n * k];
        private readonly int[] _hitCounts = new int[n];
        private readonly double[] _latencies = new double[n * repeats];
        private readonly SearchResult[] _results = new SearchResult[k];
        private long _allocated;

        public double[] Qps { get; } = new double[repeats];

        public void Run(IVectorEngine engine, VectorSet queries, int ef, int rep)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long passStart = Stopwatch.GetTimestamp();
            for (int q = 0; q < n; q++)
            {
                long t0 = Stopwatch.GetTimestamp();
                int hits = engine.Search(queries.Row(q), _results, ef);
                _latencies[rep * n + q] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (rep == 0)
                {
                    _hitCounts[q] = hits;
                    for (int i = 0; i < hits; i++)
                        _found[q * k + i] = _results[i].Label;
                }
            }
            Qps[rep] = n / Stopwatch.GetElapsedTime(passStart).TotalSeconds;
            _allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        }

        public SearchPoint ToPoint(int ef, int[][] truth, Summary? ratio)
        {
            var sorted = _latencies.Order().ToArray();
            return new SearchPoint(ef, RecallAtK(_found, _hitCounts, truth, k), Summary.Of(Qps),
                Summary.Percentile(sorted, 0.50), Summary.Percentile(sorted, 0.99), Summary.Percentile(sorted, 0.999),
                (double)_allocated / (n * repeats), ratio);
        }
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

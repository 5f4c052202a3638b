namespace NativeHnsw.Bench.Measurements;

/// <summary>The median of repeated measurements, with their min and max and how many there were.</summary>
public sealed record Summary(double Median, double Min, double Max, int Runs)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException("No measurements.", nameof(values));
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Summary(median, sorted[0], sorted[^1], n);
    }

    /// <summary>
    /// Runs <paramref name="action"/> untimed at least <paramref name="warmups"/> times and for at least half a
    /// second (at most 50 times), then <paramref name="runs"/> times timed (milliseconds).
    /// </summary>
    /// <remarks>
    /// Tiered JIT promotes a method after about 30 calls and a background delay; an operation that runs once per
    /// call (a load, a save) would otherwise be timed in unoptimised code: a 10k-vector load measured 8–30 ms for
    /// its first ten runs and 1.3 ms once optimised. Library code counts too (System.IO.Hashing's XxHash3).
    /// </remarks>
    public static Summary TimeMilliseconds(int warmups, int runs, Action action, Action? beforeEach = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        WarmUp(warmups, () =>
        {
            beforeEach?.Invoke();
            action();
        });
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            beforeEach?.Invoke();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Of(times);
    }

    /// <summary>Runs <paramref name="action"/> at least <paramref name="minimum"/> times and for at least half a second, at most 50 times.</summary>
    public static void WarmUp(int minimum, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 50 && (i < minimum || System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds < 0.5); i++)
            action();
    }

    /// <summary>The value at quantile <paramref name="q"/> of sorted values (nearest rank).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

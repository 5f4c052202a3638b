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

    /// <summary>Runs <paramref name="action"/> <paramref name="warmups"/> times untimed, then <paramref name="runs"/> times timed (milliseconds).</summary>
    public static Summary TimeMilliseconds(int warmups, int runs, Action action, Action? beforeEach = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int i = 0; i < warmups; i++)
        {
            beforeEach?.Invoke();
            action();
        }
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

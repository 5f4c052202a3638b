namespace NativeHnsw.Bench.Reports;

/// <summary>
/// A timed build of the whole base set: one run (builds are too long to repeat by default), or with --build-rounds the
/// median of <see cref="RoundSeconds"/>, one time per round in the rounds' order.
/// </summary>
public sealed record BuildResult(int Threads, double Seconds, double VectorsPerSecond, IReadOnlyList<double>? RoundSeconds = null)
{
    /// <summary>The median of <paramref name="seconds"/> (one build of <paramref name="vectors"/> per round), keeping every round.</summary>
    public static BuildResult OfRounds(int threads, IReadOnlyList<double> seconds, int vectors)
    {
        double median = Measurements.Summary.Of(seconds).Median;
        return new BuildResult(threads, median, vectors / median, seconds.Count > 1 ? seconds : null);
    }

    /// <summary>
    /// This build's time over <paramref name="other"/>'s: the median of the per-round ratios when both ran the same rounds
    /// (each round's builds ran side by side, so the machine's drift cancels), else the ratio of the two times.
    /// </summary>
    public double RatioTo(BuildResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (RoundSeconds is { } mine && other.RoundSeconds is { } theirs && mine.Count == theirs.Count)
            return Measurements.Summary.Of(mine.Select((s, i) => s / theirs[i]).ToArray()).Median;
        return Seconds / other.Seconds;
    }
}

using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;

namespace NativeHnsw.Bench.Store;

/// <summary>One store's commit times against shipping off, round by round: the median and quartiles of the per-round ratios, and the ratio of the totals.</summary>
public sealed record ShipRatios(double Median, double Lower, double Upper, double Total, int Rounds)
{
    /// <summary>The ratios <paramref name="store"/>[i] ÷ <paramref name="off"/>[i] over the rounds both have.</summary>
    /// <exception cref="ArgumentException">The two share no round.</exception>
    public static ShipRatios Of(IReadOnlyList<double> store, IReadOnlyList<double> off)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(off);
        var median = PersistenceRounds.Ratios(store, off) ?? throw new ArgumentException("The two series share no round.", nameof(store));
        int n = median.Runs;
        var sorted = Enumerable.Range(0, n).Select(i => store[i] / off[i]).Order().ToArray();
        return new ShipRatios(median.Median, Summary.Percentile(sorted, 0.25), Summary.Percentile(sorted, 0.75),
            store.Take(n).Sum() / off.Take(n).Sum(), n);
    }
}

using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>
/// The timed repetitions of one engine's persistence operations, in round order (milliseconds). Rounds alternate
/// engine by engine, so round i of two engines ran back to back and their ratio shares the machine's state.
/// </summary>
/// <param name="DurableSaveMs">Save that leaves the file durable (see <see cref="PersistenceResult.DurableSaveMs"/>).</param>
/// <param name="ChecksumLoadMs">Ours only: the load with <see cref="LoadCheck.Checksums"/>, timed in the same rounds.</param>
public sealed record PersistenceRounds(
    IReadOnlyList<double> SaveMs, IReadOnlyList<double> DurableSaveMs, IReadOnlyList<double> LoadMs, IReadOnlyList<double> OpenMs,
    IReadOnlyList<double>? ChecksumLoadMs = null)
{
    /// <summary>The per-round ratios <paramref name="a"/>[i] ÷ <paramref name="b"/>[i] over the rounds both have; null when they share none.</summary>
    public static Summary? Ratios(IReadOnlyList<double>? a, IReadOnlyList<double>? b)
    {
        int n = Math.Min(a?.Count ?? 0, b?.Count ?? 0);
        return n == 0 ? null : Summary.Of(Enumerable.Range(0, n).Select(i => a![i] / b![i]).ToArray());
    }
}

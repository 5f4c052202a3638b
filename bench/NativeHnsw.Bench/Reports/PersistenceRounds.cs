namespace NativeHnsw.Bench.Reports;

/// <summary>
/// The timed repetitions of one engine's persistence operations, in round order (milliseconds). Rounds alternate
/// engine by engine, so round i of two engines ran back to back and their ratio shares the machine's state.
/// </summary>
/// <param name="DurableSaveMs">Save that leaves the file durable (see <see cref="PersistenceResult.DurableSaveMs"/>).</param>
public sealed record PersistenceRounds(
    IReadOnlyList<double> SaveMs, IReadOnlyList<double> DurableSaveMs, IReadOnlyList<double> LoadMs, IReadOnlyList<double> OpenMs);

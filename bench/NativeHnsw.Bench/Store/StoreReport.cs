using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Store;

/// <summary>A store-mode run (serialised as results.json).</summary>
public sealed record StoreReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, int Count, int Dimensions, IReadOnlyList<StoreFigure> Figures, IReadOnlyList<string> Notes);

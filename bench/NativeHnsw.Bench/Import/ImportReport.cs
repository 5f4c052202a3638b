using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Import;

/// <summary>An import-mode run (serialised as results.json).</summary>
/// <param name="MemoryCopyGBps">This machine's one-thread memory copy, for the floor an import cannot beat (its file's bytes copied once).</param>
public sealed record ImportReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, string Dataset, int Count, int Dimensions, string Metric, int M,
    int EfConstruction, int Threads, int Repeats, double MemoryCopyGBps, IReadOnlyList<ImportFigure> Figures, IReadOnlyList<string> Notes);

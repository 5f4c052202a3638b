using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Persistence;

/// <summary>A persistence-mode run (serialised as results.json).</summary>
public sealed record PersistenceReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, string Metric, int M, int Repeats,
    IReadOnlyList<PersistenceSizeResult> Sizes, IReadOnlyList<string> Notes);

using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>A comparison run: what was run, on what, and every raw figure (serialised as results.json).</summary>
/// <param name="Graph">With --same-graph: which engine built the one graph every engine searched, and how each got it.</param>
public sealed record RunReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, string Dataset, string DatasetDescription,
    int BaseCount, int QueryCount, int Dimensions, string Metric, int M, int EfConstruction, int K, int Repeats,
    double GroundTruthSeconds, bool GroundTruthFromCache, MachineLimits? Limits,
    IReadOnlyList<EngineResult> Engines, IReadOnlyList<TargetCheck> Targets, IReadOnlyList<string> Notes,
    string? Graph = null);

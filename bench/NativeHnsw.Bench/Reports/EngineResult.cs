namespace NativeHnsw.Bench.Reports;

/// <summary>Everything measured for one engine; <see cref="Available"/> false with <see cref="UnavailableReason"/> when its library is missing.</summary>
public sealed record EngineResult(
    string Engine, bool Available, string? UnavailableReason,
    BuildResult? BuildOneThread, BuildResult? BuildAllCores,
    IReadOnlyList<SearchPoint> Sweep, PersistenceResult? Persistence, string? Note);

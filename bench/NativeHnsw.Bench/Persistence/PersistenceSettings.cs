namespace NativeHnsw.Bench.Persistence;

/// <summary>The persistence mode's parameters: index sizes to build, and the ef_construction for small and large ones.</summary>
/// <param name="Engines">The engines compared side by side at every size (see <see cref="PeerPersistence.Supported"/>); null: all of them.</param>
/// <param name="AddRun">The results.json of an earlier comparison run whose persistence figures join the report at its size (<see cref="EarlierRun"/>).</param>
/// <param name="LargeThreshold">Sizes above it are built with <paramref name="EfConstructionLarge"/>, to keep a 1M build affordable.</param>
public sealed record PersistenceSettings(
    IReadOnlyList<int> Sizes, int Dimensions, DistanceMetric Metric, int M, int EfConstruction, int EfConstructionLarge, int LargeThreshold,
    int Repeats, int Seed, int Threads, string? OutputDirectory, string CommandLine, IReadOnlyList<string>? Engines = null, bool Plot = true, string? AddRun = null);

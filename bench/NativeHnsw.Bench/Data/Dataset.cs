using NativeHnsw.Data;

namespace NativeHnsw.Bench.Data;

/// <summary>A loaded base set and query set of the same dimension.</summary>
/// <param name="Name">Short name for file names and titles (synthetic, clustered, fashion-mnist, or the file's name).</param>
/// <param name="Description">Where the vectors came from, for the report.</param>
public sealed record Dataset(string Name, string Description, VectorSet Base, VectorSet Queries, DistanceMetric DefaultMetric);

namespace NativeHnsw.Bench.Data;

/// <summary>What the command line asked for: a dataset name or file, and how many vectors of it.</summary>
/// <param name="Source">synthetic, clustered, fashion-mnist, or a vector file's path.</param>
/// <param name="QueryFile">Queries from this file; null: generated (synthetic), the test split (fashion-mnist) or held out from the base.</param>
/// <param name="Count">Base vectors: generated count, or the first rows of a file; null: the dataset's default.</param>
/// <param name="Dimensions">Dimensions of generated data.</param>
/// <param name="Queries">Query count; null: the dataset's default.</param>
/// <param name="Seed">Seed of generated data and of the held-out selection.</param>
public sealed record DatasetRequest(string Source, string? QueryFile, int? Count, int Dimensions, int? Queries, int Seed);

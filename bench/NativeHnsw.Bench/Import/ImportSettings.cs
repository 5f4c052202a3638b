using NativeHnsw.Bench.Data;

namespace NativeHnsw.Bench.Import;

/// <summary>An import-mode run's parameters, validated by <see cref="BenchCli"/>.</summary>
/// <param name="FilesFromLibraries">The hnswlib and FAISS files are written by those libraries' own builds (slower to
/// prepare); false: by our exports of the rebuilt index (the same formats, link for link).</param>
public sealed record ImportSettings(
    DatasetRequest Dataset, DistanceMetric? Metric, int M, int EfConstruction, int Threads, int Repeats, bool FilesFromLibraries,
    string? OutputDirectory, string CommandLine);

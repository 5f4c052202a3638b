using NativeHnsw.Testing;

namespace NativeHnsw.Backup.Tests;

/// <summary>Small seeded indexes and the answers they give, for before/after comparisons (also compiled into the CLI tests).</summary>
internal static class TestIndexes
{
    public const int Dimensions = 16;

    public static HnswIndex Build(int count, int seed, DistanceMetric metric = DistanceMetric.Cosine)
    {
        var data = Datasets.Gaussian(count, Dimensions, seed);
        var index = new HnswIndex(new HnswOptions { Dimensions = Dimensions, Metric = metric, M = 8, EfConstruction = 64, Seed = (ulong)seed });
        index.AddRange(Datasets.RowLabels(count), data, maxDegreeOfParallelism: 1);
        return index;
    }

    public static string Save(TempDirectory dir, string name, int count, int seed)
    {
        string path = dir.File(name);
        using var index = Build(count, seed);
        index.Save(path);
        return path;
    }

    /// <summary>The labels and distances of 20 seeded queries against the index file at <paramref name="path"/>.</summary>
    public static SearchResult[][] Answers(string path)
    {
        using var index = HnswIndex.Load(path);
        var queries = Datasets.Gaussian(20, Dimensions, seed: 999);
        return [.. Enumerable.Range(0, 20).Select(q => index.Search(Datasets.Row(queries, Dimensions, q), 10))];
    }
}

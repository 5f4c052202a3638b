using System.Collections.Concurrent;
using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests;

/// <summary>One seeded data set shared by the engine tests, with brute-force ground truth per metric, computed once.</summary>
internal static class TestData
{
    public const int Count = 3_000;
    public const int QueryCount = 200;
    public const int Dimensions = 64;
    public const int TruthK = 10;

    private static readonly ConcurrentDictionary<(bool Gaussian, DistanceMetric Metric), int[][]> s_truth = new();

    /// <summary>Clustered: shaped like real embeddings (low intrinsic dimension); the set most tests use.</summary>
    public static float[] Base { get; } = Datasets.Clustered(Count, Dimensions, seed: 1);

    public static float[] Queries { get; } = Datasets.Clustered(QueryCount, Dimensions, seed: 2);

    /// <summary>Independent gaussian components: the hard case, where recall at a given ef drops visibly.</summary>
    public static float[] GaussianBase { get; } = Datasets.Gaussian(Count, Dimensions, seed: 3);

    public static float[] GaussianQueries { get; } = Datasets.Gaussian(QueryCount, Dimensions, seed: 4);

    public static long[] Labels { get; } = Datasets.RowLabels(Count);

    public static HnswOptions Options(DistanceMetric metric) => new()
    {
        Dimensions = Dimensions,
        Metric = metric,
        M = 16,
        EfConstruction = 200,
        DefaultEf = 64,
        InitialCapacity = 1024,
        Seed = 42,
    };

    public static int[][] Truth(DistanceMetric metric) =>
        s_truth.GetOrAdd((false, metric), key => BruteForce.KNearest(Base, Queries, Dimensions, TruthK, key.Metric));

    public static int[][] GaussianTruth(DistanceMetric metric) =>
        s_truth.GetOrAdd((true, metric), key => BruteForce.KNearest(GaussianBase, GaussianQueries, Dimensions, TruthK, key.Metric));

    public static double RecallOf(IVectorEngine engine, float[] queries, int[][] truth, int k, int ef)
    {
        var found = new IReadOnlyList<long>[truth.Length];
        for (int q = 0; q < truth.Length; q++)
            found[q] = engine.Search(queries.AsSpan(q * Dimensions, Dimensions), k, ef).Select(r => r.Label).ToArray();
        return Recall.AtK(found, truth, k);
    }
}

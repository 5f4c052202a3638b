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

    private static readonly ConcurrentDictionary<DistanceMetric, int[][]> s_truth = new();

    public static float[] Base { get; } = Datasets.Clustered(Count, Dimensions, seed: 1);

    public static float[] Queries { get; } = Datasets.Clustered(QueryCount, Dimensions, seed: 2);

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
        s_truth.GetOrAdd(metric, m => BruteForce.KNearest(Base, Queries, Dimensions, TruthK, m));

    public static double RecallOf(IVectorEngine engine, float[] queries, int[][] truth, int k, int ef)
    {
        var found = new IReadOnlyList<long>[truth.Length];
        for (int q = 0; q < truth.Length; q++)
            found[q] = engine.Search(queries.AsSpan(q * Dimensions, Dimensions), k, ef).Select(r => r.Label).ToArray();
        return Recall.AtK(found, truth, k);
    }
}

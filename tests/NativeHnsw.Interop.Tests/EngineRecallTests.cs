using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests;

/// <summary>Every engine, same data, same parameters: each must reach the recall an HNSW of these settings gets.</summary>
public sealed class EngineRecallTests
{
    private const int Dimensions = 64;
    private const int K = 10;
    private const int Ef = 100;

    public static TheoryData<string, DistanceMetric, double> ClusteredCases => new()
    {
        // Measured: 0.999–1.000 for every engine and metric (clustered sets are easy at ef = 100).
        { HnswIndexEngine.EngineName, DistanceMetric.L2, 0.98 },
        { FaissEngine.EngineName, DistanceMetric.L2, 0.98 },
        { HnswlibEngine.EngineName, DistanceMetric.L2, 0.98 },
        { HnswIndexEngine.EngineName, DistanceMetric.Cosine, 0.98 },
        { FaissEngine.EngineName, DistanceMetric.Cosine, 0.98 },
        { HnswlibEngine.EngineName, DistanceMetric.Cosine, 0.98 },
        { FaissEngine.EngineName, DistanceMetric.InnerProduct, 0.98 },
        { HnswlibEngine.EngineName, DistanceMetric.InnerProduct, 0.98 },
        { UsearchEngine.EngineName, DistanceMetric.L2, 0.98 },
        { UsearchEngine.EngineName, DistanceMetric.Cosine, 0.98 },
        { UsearchEngine.EngineName, DistanceMetric.InnerProduct, 0.98 },
    };

    public static TheoryData<string, DistanceMetric, double> GaussianCases => new()
    {
        // Measured at ef = 100: 0.983 (hnswlib cosine) to 0.9965 (FAISS cosine); the threshold keeps a margin of 0.03.
        { HnswIndexEngine.EngineName, DistanceMetric.L2, GaussianThreshold },
        { FaissEngine.EngineName, DistanceMetric.L2, GaussianThreshold },
        { HnswlibEngine.EngineName, DistanceMetric.L2, GaussianThreshold },
        { HnswIndexEngine.EngineName, DistanceMetric.Cosine, GaussianThreshold },
        { FaissEngine.EngineName, DistanceMetric.Cosine, GaussianThreshold },
        { HnswlibEngine.EngineName, DistanceMetric.Cosine, GaussianThreshold },
        { UsearchEngine.EngineName, DistanceMetric.L2, GaussianThreshold },
        { UsearchEngine.EngineName, DistanceMetric.Cosine, GaussianThreshold },
    };

    private const double GaussianThreshold = 0.95;

    [Theory]
    [MemberData(nameof(ClusteredCases))]
    public void Recall_ClusteredSet_ReachesThreshold(string engineName, DistanceMetric metric, double threshold) =>
        AssertRecall(engineName, metric, TestData.Base, TestData.Queries, TestData.Truth(metric), threshold);

    [Theory]
    [MemberData(nameof(GaussianCases))]
    public void Recall_GaussianSet_ReachesThreshold(string engineName, DistanceMetric metric, double threshold) =>
        AssertRecall(engineName, metric, TestData.GaussianBase, TestData.GaussianQueries, TestData.GaussianTruth(metric), threshold);

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    public void Distances_MatchOurConvention_ForEveryMetric(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.InnerProduct })
        {
            using var engine = factory.Create(TestData.Options(metric));
            engine.AddBatch(TestData.Labels, TestData.Base);
            var query = TestData.Queries.AsSpan(0, Dimensions);
            var hits = engine.Search(query, K, Ef);
            Assert.Equal(K, hits.Length);
            foreach (var hit in hits)
            {
                double expected = BruteForce.Distance(query, Datasets.Row(TestData.Base, Dimensions, (int)hit.Label), metric);
                Assert.True(Math.Abs(expected - hit.Distance) <= 1e-3 * Math.Max(1, Math.Abs(expected)),
                    $"{engineName} {metric}: label {hit.Label} distance {hit.Distance}, expected {expected}");
            }
            for (int i = 1; i < hits.Length; i++)
                Assert.True(hits[i - 1].Distance <= hits[i].Distance, $"{engineName} {metric}: hits not sorted closest first");
        }
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(HnswIndexEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    public void Search_FewerVectorsThanK_ReturnsWhatThereIs(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        using var engine = factory.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(new long[] { 7, 8, 9 }, TestData.Base.AsMemory(0, 3 * Dimensions));
        var hits = engine.Search(TestData.Base.AsSpan(0, Dimensions), k: 10, ef: 50);
        Assert.Equal(3, hits.Length);
        Assert.Equal(7, hits[0].Label);
        Assert.Equal(0f, hits[0].Distance, 1e-4f);
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    public void AddBatch_OneThreadAndAllThreads_BothReachRecall(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        var truth = TestData.Truth(DistanceMetric.L2);
        foreach (int threads in new[] { 1, -1 })
        {
            using var engine = factory.Create(TestData.Options(DistanceMetric.L2));
            engine.AddBatch(TestData.Labels, TestData.Base, threads);
            double recall = TestData.RecallOf(engine, TestData.Queries, truth, K, Ef);
            Assert.True(recall >= 0.95, $"{engineName} with {threads} build threads: recall {recall:F4}");
        }
    }

    [Fact]
    public void Faiss_BuildParametersAndThreads_ReachTheIndex()
    {
        NativeRequirement.Faiss();
        Assert.True(FaissEngine.Library.HasNativeHnswExtensions, "the libfaiss_c.so under test should be NativeHnsw's build");
        using var engine = FaissEngine.Create(TestData.Options(DistanceMetric.L2) with { EfConstruction = 123 });
        engine.AddBatch(TestData.Labels.AsMemory(0, 100), TestData.Base.AsMemory(0, 100 * Dimensions));
        engine.Search(TestData.Queries.AsSpan(0, Dimensions), K, ef: 77);
        Assert.Equal((77, 123), engine.HnswParameters);

        // OpenMP's thread count is per thread: a build sets it on the calling thread, a search sets 1 there.
        engine.AddBatch(new long[] { 500 }, TestData.Base.AsMemory(0, Dimensions), maxDegreeOfParallelism: 1);
        Assert.Equal(1, Native.FaissNative.nh_faiss_omp_get_max_threads());
        engine.AddBatch(new long[] { 501 }, TestData.Base.AsMemory(0, Dimensions), maxDegreeOfParallelism: 2);
        Assert.Equal(2, Native.FaissNative.nh_faiss_omp_get_max_threads());
        engine.Search(TestData.Queries.AsSpan(0, Dimensions), K, ef: 77);
        Assert.Equal(1, Native.FaissNative.nh_faiss_omp_get_max_threads());
        Assert.True(engine.MemoryBytes >= 100L * Dimensions * sizeof(float), $"memory {engine.MemoryBytes} is less than the raw vectors");
    }

    private static void AssertRecall(string engineName, DistanceMetric metric, float[] data, float[] queries, int[][] truth, double threshold)
    {
        var factory = NativeRequirement.Engine(engineName);
        using var engine = factory.Create(TestData.Options(metric));
        engine.AddBatch(TestData.Labels, data);
        Assert.Equal(TestData.Count, engine.Count);

        double recall = TestData.RecallOf(engine, queries, truth, K, Ef);
        TestContext.Current.TestOutputHelper?.WriteLine($"{engineName} {metric}: recall@{K} at ef={Ef} = {recall:F4}");
        Assert.True(recall >= threshold, $"{engineName} {metric}: recall@{K} = {recall:F4} < {threshold}");
    }
}

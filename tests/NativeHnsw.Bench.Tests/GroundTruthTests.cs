using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.GroundTruth;
using NativeHnsw.Testing;

namespace NativeHnsw.Bench.Tests;

public sealed class GroundTruthTests
{
    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void ExactKnn_MatchesDoublePrecisionBruteForce(DistanceMetric metric)
    {
        const int Dims = 24, Seed = 5;
        var data = Datasets.Gaussian(700, Dims, Seed);
        var queries = Datasets.Gaussian(37, Dims, Seed + 1);
        var expected = BruteForce.KNearest(data, queries, Dims, 10, metric);
        var actual = ExactKnn.Search(new VectorSet(data, Dims), new VectorSet(queries, Dims), 10, metric);
        // float32 against float64: allow a neighbour swapped at a near-tie, never more than one per query.
        for (int q = 0; q < expected.Length; q++)
            Assert.True(expected[q].Intersect(actual[q]).Count() >= 9, $"metric {metric}, seed {Seed}, query {q}");
        Assert.True(Recall.AtK(actual.Select(r => (IReadOnlyList<long>)r.Select(x => (long)x).ToArray()).ToArray(), expected, 10) > 0.995);
    }

    [Fact]
    public void ExactKnn_KLargerThanBase_ReturnsAllRowsSorted()
    {
        var data = new float[] { 0, 0, 3, 0, 1, 0 };
        var truth = ExactKnn.Search(new VectorSet(data, 2), new VectorSet([0.9f, 0f], 2), 10, DistanceMetric.L2);
        Assert.Equal([2, 0, 1], truth[0]);
    }

    [Fact]
    public void Cache_SecondCall_ReadsTheFileAndAgrees()
    {
        using var dir = new TempDirectory();
        var cache = new GroundTruthCache(dir.Path);
        var b = new VectorSet(Datasets.Gaussian(300, 8, 1), 8);
        var q = new VectorSet(Datasets.Gaussian(20, 8, 2), 8);
        var first = cache.GetOrCompute(b, q, DistanceMetric.L2, 5, out bool cachedFirst);
        var second = cache.GetOrCompute(b, q, DistanceMetric.L2, 5, out bool cachedSecond);
        Assert.False(cachedFirst);
        Assert.True(cachedSecond);
        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(dir.Path, "*.ivecs"));

        // Different metric, k or data: a different key, never the stale answer.
        cache.GetOrCompute(b, q, DistanceMetric.Cosine, 5, out bool cachedOtherMetric);
        Assert.False(cachedOtherMetric);
        b.Data[0] += 1;
        cache.GetOrCompute(b, q, DistanceMetric.L2, 5, out bool cachedChangedData);
        Assert.False(cachedChangedData);
    }

    [Fact]
    public void Cache_CorruptFile_Recomputed()
    {
        using var dir = new TempDirectory();
        var cache = new GroundTruthCache(dir.Path);
        var b = new VectorSet(Datasets.Gaussian(100, 4, 1), 4);
        var q = new VectorSet(Datasets.Gaussian(5, 4, 2), 4);
        var good = cache.GetOrCompute(b, q, DistanceMetric.L2, 3, out _);
        File.WriteAllBytes(cache.PathFor(GroundTruthCache.Key(b, q, DistanceMetric.L2, 3)), [1, 2, 3]);
        var again = cache.GetOrCompute(b, q, DistanceMetric.L2, 3, out bool fromCache);
        Assert.False(fromCache);
        Assert.Equal(good, again);
    }
}

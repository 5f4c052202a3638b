using NativeHnsw.Bench.GroundTruth;
using NativeHnsw.Data;
using NativeHnsw.Testing;

namespace NativeHnsw.Bench.Tests;

public sealed class GroundTruthTests
{
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

using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Graph;

/// <summary>Recall@10 against exact brute force, at the thresholds the issue sets.</summary>
public sealed class RecallTests
{
    private const int Dims = 128;
    private const int Count = 10_000;
    private const int Queries = 200;

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    public void Clustered10k_AtEf200_RecallAtLeast099(DistanceMetric metric)
    {
        var data = Datasets.Clustered(Count, Dims, seed: 11);
        var queries = Datasets.Clustered(Queries, Dims, seed: 11_000);
        double recall = BuildAndMeasure(data, queries, metric, ef: 200);
        Assert.True(recall >= 0.99, $"recall@10 = {recall:F4} ({metric}, clustered)");
    }

    /// <summary>A guard that can fail: hnswlib 0.6.2 reaches 0.987 here at ef=20 on this data.</summary>
    [Fact]
    public void Clustered10k_Cosine_AtEf20_RecallAtLeast097()
    {
        var data = Datasets.Clustered(Count, Dims, seed: 11);
        var queries = Datasets.Clustered(Queries, Dims, seed: 11_000);
        double recall = BuildAndMeasure(data, queries, DistanceMetric.Cosine, ef: 20);
        Assert.True(recall >= 0.97, $"recall@10 = {recall:F4} (cosine, clustered, ef=20)");
    }

    [Fact]
    public void Gaussian2k_InnerProduct_AtEf200_RecallAtLeast095()
    {
        const int n = 2_000;
        var data = Datasets.Gaussian(n, 32, seed: 8);
        var queries = Datasets.Gaussian(100, 32, seed: 8_000);
        using var index = new HnswIndex(new HnswOptions { Dimensions = 32, Metric = DistanceMetric.InnerProduct });
        index.AddRange(Datasets.RowLabels(n), data);
        var truth = BruteForce.KNearest(data, queries, 32, 10, DistanceMetric.InnerProduct);
        double recall = Recall.Measure(index, queries, truth, 10, 200);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4} (inner product)");
    }

    [Fact]
    public void Gaussian10k_Cosine_AtEf320_RecallAtLeast096()
    {
        var data = Datasets.Gaussian(Count, Dims, seed: 5);
        var queries = Datasets.Gaussian(Queries, Dims, seed: 5_000);
        double recall = BuildAndMeasure(data, queries, DistanceMetric.Cosine, ef: 320);
        Assert.True(recall >= 0.96, $"recall@10 = {recall:F4} (cosine, gaussian)");
    }

    private static double BuildAndMeasure(float[] data, float[] queries, DistanceMetric metric, int ef)
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = metric });
        index.AddRange(Datasets.RowLabels(Count), data);
        var truth = BruteForce.KNearest(data, queries, Dims, 10, metric);
        return Recall.Measure(index, queries, truth, 10, ef);
    }
}

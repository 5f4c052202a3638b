using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

public sealed class AddsAfterLoadTests
{
    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void Load_ThenAddsDeletesAndReplacements_KeepsRecallAndSavesAgain(DistanceMetric metric)
    {
        const int dims = 24, first = 1_500, more = 1_000, k = 10;
        var data = Datasets.Clustered(first + more, dims, seed: 11);
        if (metric == DistanceMetric.InnerProduct)
            Normalize(data, dims);
        var queries = Datasets.Clustered(100, dims, seed: 1_100);
        if (metric == DistanceMetric.InnerProduct)
            Normalize(queries, dims);
        var labels = Datasets.RowLabels(first + more);
        using var folder = new TempDirectory();
        string path = folder.File("index.nhnsw");
        using (var original = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = metric, EfConstruction = 100 }))
        {
            original.AddRange(labels.AsMemory(0, first), data.AsMemory(0, first * dims));
            original.Save(path);
        }

        using var loaded = HnswIndex.Load(path);
        Assert.False(loaded.IsReadOnly);
        loaded.AddRange(labels.AsMemory(first, more), data.AsMemory(first * dims, more * dims));
        for (int i = 0; i < first + more; i += 5)
            loaded.MarkDeleted(i);
        Assert.Equal(first + more - (first + more) / 5, loaded.Count);

        var truth = BruteForce.KNearest(data, queries, dims, k, metric, include: row => row % 5 != 0);
        double recall = Recall.Measure(loaded, queries, truth, k, ef: 100);
        Assert.True(recall >= 0.95, $"recall after load + adds + deletes: {recall:F4}");

        string again = folder.File("again.nhnsw");
        loaded.Save(again);
        using var reloaded = HnswIndex.Load(again);
        GraphAssert.SameGraph(loaded, reloaded);
        Assert.Equal(recall, Recall.Measure(reloaded, queries, truth, k, ef: 100));
    }

    private static void Normalize(float[] data, int dims)
    {
        for (int row = 0; row < data.Length / dims; row++)
        {
            var v = data.AsSpan(row * dims, dims);
            float norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(v));
            System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        }
    }
}

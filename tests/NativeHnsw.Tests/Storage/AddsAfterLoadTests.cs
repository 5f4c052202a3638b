using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

public sealed class AddsAfterLoadTests
{
    /// <summary>
    /// A file whose label index is implicit loads without building a label map: lookups search the labels until
    /// the first add, which builds the map; a replacement then leaves labels out of node order, and the next save
    /// stores a label index again.
    /// </summary>
    [Fact]
    public void LoadedImplicitLabelIndex_LookupsBeforeAndAfterAddsAndReplacement()
    {
        const int dims = 12, n = 800;
        var data = Datasets.Gaussian(n + 1, dims, seed: 41);
        var labels = Enumerable.Range(0, n).Select(i => 10L * i - 3_000).ToArray();
        using var folder = new TempDirectory();
        using (var original = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = DistanceMetric.L2 }))
        {
            original.AddRange(labels, data.AsMemory(0, n * dims));
            original.MarkDeleted(labels[3]);
            original.Save(folder.File("a.nhnsw"));
        }
        Assert.DoesNotContain(FileCraft.Sections(File.ReadAllBytes(folder.File("a.nhnsw"))), s => s.Id == 7);

        using var index = HnswIndex.Load(folder.File("a.nhnsw"));
        Assert.Equal(n - 1, index.Count);
        Assert.True(index.Contains(labels[0]) && index.Contains(labels[^1]));
        Assert.False(index.Contains(labels[3]));
        Assert.False(index.Contains(labels[5] + 1));
        Assert.Equal(data.AsSpan(7 * dims, dims).ToArray(), index.GetVector(labels[7]));

        index.Add(-1_000_000, data.AsSpan(n * dims, dims));
        index.Add(labels[9], data.AsSpan(0, dims));
        index.Unmark(labels[3]);
        Assert.Equal(n + 1, index.Count);
        Assert.Equal(data.AsSpan(0, dims).ToArray(), index.GetVector(labels[9]));
        Assert.Equal(-1_000_000, index.Search(data.AsSpan(n * dims, dims), 1, 50)[0].Label);
        Assert.Throws<LabelNotFoundException>(() => index.GetVector(labels[5] + 1));

        index.Save(folder.File("b.nhnsw"));
        Assert.Contains(FileCraft.Sections(File.ReadAllBytes(folder.File("b.nhnsw"))), s => s.Id == 7);
        using var mapped = HnswIndex.Open(folder.File("b.nhnsw"));
        Assert.Equal(n + 1, mapped.Count);
        Assert.True(mapped.Contains(-1_000_000) && mapped.Contains(labels[3]));
    }

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

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// A file whose labels are its node ids (0, 1, …, N − 1: the common bulk load) loads without a label block: 8 bytes a
/// node less, lookups by arithmetic, and the same answers, saves and adds as any loaded index.
/// </summary>
public sealed class IdentityLabelsTests : IDisposable
{
    private const int Nodes = 400;
    private const int Dims = 12;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void IdentityLabels_LoadHoldsNoLabelsAndAnswersAsTheSource()
    {
        var data = Datasets.Gaussian(Nodes, Dims, seed: 2);
        using var source = Build(Datasets.RowLabels(Nodes), data);
        string path = Save(source, "ids.nhnsw");
        using var shifted = Build(Datasets.RowLabels(Nodes).Select(l => l + 1).ToArray(), data);
        string shiftedPath = Save(shifted, "shifted.nhnsw");

        using var loaded = HnswIndex.Load(path);
        using var loadedShifted = HnswIndex.Load(shiftedPath);
        // The same graph (labels do not steer the build) and capacity: only the label block differs.
        Assert.Equal(Nodes, loaded.Capacity);
        Assert.Equal(Nodes, loadedShifted.Capacity);
        Assert.Equal(loadedShifted.MemoryBytes - (8L * Nodes), loaded.MemoryBytes);
        var queries = Datasets.Gaussian(20, Dims, seed: 9);
        for (int q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            Assert.Equal(source.Search(query, 10, 64), loaded.Search(query, 10, 64));
            Assert.Equal(source.Search(query, 5, 64, l => l % 3 == 0), loaded.Search(query, 5, 64, l => l % 3 == 0));
        }
        Assert.True(loaded.Contains(0));
        Assert.True(loaded.Contains(Nodes - 1));
        Assert.False(loaded.Contains(Nodes));
        Assert.False(loaded.Contains(-1));
        Assert.False(loaded.Contains(long.MinValue));
        Assert.Equal(Datasets.Row(data, Dims, 123).ToArray(), loaded.GetVector(123));
        Assert.Equal(Nodes, loaded.Count);

        string again = _folder.File("again.nhnsw");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void IdentityLabels_AddsAfterLoad_GrowAndKeepEveryLabel()
    {
        var data = Datasets.Gaussian(Nodes + 50, Dims, seed: 4);
        using var source = Build(Datasets.RowLabels(Nodes), data.AsSpan(0, Nodes * Dims).ToArray());
        string path = Save(source, "ids.nhnsw");
        using var loaded = HnswIndex.Load(path);
        long before = loaded.MemoryBytes;
        // A replacement of label 7, a far label, then more ids.
        loaded.Add(7, Datasets.Row(data, Dims, Nodes));
        loaded.Add(1_000_000, Datasets.Row(data, Dims, Nodes + 1));
        for (int i = 2; i < 50; i++)
            loaded.Add(Nodes + i, Datasets.Row(data, Dims, Nodes + i));
        Assert.True(loaded.MemoryBytes > before);
        Assert.Equal(Nodes + 49, loaded.Count);
        for (long label = 0; label < Nodes; label++)
            Assert.True(loaded.Contains(label), $"label {label}");
        Assert.Equal(Datasets.Row(data, Dims, Nodes).ToArray(), loaded.GetVector(7));
        Assert.Equal(Datasets.Row(data, Dims, 8).ToArray(), loaded.GetVector(8));
        Assert.Equal(1_000_000, loaded.Search(Datasets.Row(data, Dims, Nodes + 1), 1, 64)[0].Label);
        Assert.Equal(123, loaded.Search(Datasets.Row(data, Dims, 123), 1, 64)[0].Label);

        string again = _folder.File("grown.nhnsw");
        loaded.Save(again);
        using var reloaded = HnswIndex.Load(again);
        Assert.Equal(loaded.Count, reloaded.Count);
        Assert.Equal(Datasets.Row(data, Dims, Nodes).ToArray(), reloaded.GetVector(7));
        HnswIndex.Verify(again);
    }

    [Fact]
    public void LabelsWithIdEndsButOutOfOrder_WithValidChecksums_LoadNamesTheLabels()
    {
        using var source = Build(Datasets.RowLabels(Nodes), Datasets.Gaussian(Nodes, Dims, seed: 6));
        var bytes = FileCraft.SavedBytes(source, _folder);
        var labels = FileCraft.Find(bytes, 5);
        // Labels 1 and 2 swapped: the first and last labels still say "ids", the rest does not ascend.
        FileCraft.WriteInt64(bytes, labels.Offset + 8, 2);
        FileCraft.WriteInt64(bytes, labels.Offset + 16, 1);
        FileCraft.Reseal(bytes);
        string path = FileCraft.Write(_folder, "swapped.nhnsw", bytes);
        foreach (var load in new Action[] { () => HnswIndex.Load(path).Dispose(), () => HnswIndex.Verify(path) })
        {
            var e = Assert.Throws<IndexFormatException>(load);
            Assert.Equal("labels", e.Section);
            Assert.Contains("entry 2 (label 1) is not above entry 1 (label 2)", e.Message, StringComparison.Ordinal);
        }
    }

    private static HnswIndex Build(long[] labels, float[] data)
    {
        var index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = DistanceMetric.L2, M = 8, EfConstruction = 40 });
        index.AddRange(labels, data);
        return index;
    }

    private string Save(HnswIndex index, string name)
    {
        string path = _folder.File(name);
        index.Save(path);
        return path;
    }
}

using System.Buffers.Binary;
using NativeHnsw.Tests.Storage;

namespace NativeHnsw.Tests.Interchange;

/// <summary>hnswlib files written by our exporter read back link for link; damaged ones are refused naming the field and offset.</summary>
public sealed class HnswlibInterchangeTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2, 16)]
    [InlineData(DistanceMetric.InnerProduct, 5)]
    [InlineData(DistanceMetric.Cosine, 2)]
    [InlineData(DistanceMetric.L2, 48)]
    public void ExportThenImport_SameGraphLinkForLink_SameAnswers(DistanceMetric metric, int m)
    {
        using var original = Build(metric, m, count: 700, dims: 12, seed: m);
        original.MarkDeleted(3);
        original.MarkDeleted(500);
        original.Add(7, Datasets.Gaussian(1, 12, seed: 99));   // label 7 replaced: its old node is superseded
        string path = _folder.File("index.hnswlib");

        original.ExportHnswlib(path);
        using var imported = HnswIndex.ImportHnswlib(path, metric, defaultEf: original.Options.DefaultEf);

        GraphAssert.SameGraph(original, imported, compareOptions: false);
        Assert.Equal(original.Options.EfConstruction, imported.Options.EfConstruction);
        Assert.Equal(original.Count, imported.Count);
        Assert.False(imported.Contains(3));
        Assert.True(imported.Contains(7));
        Assert.Equal(original.GetVector(7), imported.GetVector(7));
        GraphAssert.SameAnswers(original, imported, Datasets.Gaussian(20, 12, seed: 5), [1, 10], [10, 64]);
        imported.CheckInvariants();

        // The import is a normal index: it saves, loads and grows.
        string own = _folder.File("index.nhnsw");
        imported.Save(own);
        using var loaded = HnswIndex.Load(own);
        GraphAssert.SameGraph(imported, loaded);
        loaded.Add(10_000, Datasets.Gaussian(1, 12, seed: 7));
        Assert.Equal(10_000, loaded.Search(loaded.GetVector(10_000), 1)[0].Label);

        // Export of an import is the same file, byte for byte.
        string again = _folder.File("again.hnswlib");
        imported.ExportHnswlib(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void EmptyIndex_ExportsAndImports()
    {
        using var empty = new HnswIndex(new HnswOptions { Dimensions = 4, Metric = DistanceMetric.L2, M = 8 });
        string path = _folder.File("empty.hnswlib");
        empty.ExportHnswlib(path);
        Assert.Equal(96, new FileInfo(path).Length);
        using var imported = HnswIndex.ImportHnswlib(path, DistanceMetric.L2);
        Assert.Equal(0, imported.NodeCount);
        Assert.Empty(imported.Search([1, 2, 3, 4], 3));
    }

    [Fact]
    public void EveryTruncation_ThrowsIndexFormatException()
    {
        var bytes = ExportSmall(DistanceMetric.L2);
        string path = _folder.File("cut.hnswlib");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
            var e = Assert.Throws<IndexFormatException>(() => HnswIndex.ImportHnswlib(path, DistanceMetric.L2));
            Assert.NotNull(e.Section);
        }
    }

    [Theory]
    [InlineData(16, 1UL << 40, "cur_element_count")]          // hnswlib issue 673: a count the file cannot hold
    [InlineData(16, 1UL << 62, "cur_element_count")]
    [InlineData(8, 1, "max_elements")]
    [InlineData(24, 12, "size_data_per_element")]
    [InlineData(32, 1UL << 50, "label_offset")]
    [InlineData(40, 4, "offsetData")]
    [InlineData(56, 0, "maxM")]
    [InlineData(64, 7, "maxM0")]
    [InlineData(72, 3, "M")]
    [InlineData(0, 8, "offsetLevel0")]
    [InlineData(88, 0, "ef_construction")]
    public void CraftedHeaderField_NamesTheFieldAndItsOffset(int offset, ulong value, string field)
    {
        var bytes = ExportSmall(DistanceMetric.L2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), value);
        var e = Import(bytes);
        Assert.Equal(field, e.Section);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public void EntryPointOutOfRange_Throws()
    {
        var bytes = ExportSmall(DistanceMetric.L2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(52), 100_000);
        Assert.Equal("enterpoint_node", Import(bytes).Section);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(52), 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(48), 40);
        Assert.Contains("top level", Import(bytes).Problem);
    }

    [Fact]
    public void LinkOutOfRange_NamesTheRecordAndTheLinkOffset()
    {
        var bytes = ExportSmall(DistanceMetric.L2, out int m, out long sizePer);
        long record = 96 + 5 * sizePer;
        int linkCount = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)record));
        Assert.True(linkCount > 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)record + 4), 1_000_000);
        var e = Import(bytes);
        Assert.Equal("level-0 records", e.Section);
        Assert.Equal(record + 4, e.Offset);
        Assert.Contains("node 5 links to node 1000000", e.Problem);

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)record + 4), 5);
        Assert.Contains("links to itself", Import(bytes).Problem);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)record), (ushort)(2 * m + 1));
        Assert.Contains("more than maxM0", Import(bytes).Problem);
    }

    [Fact]
    public void SizesThatDoNotTileTheFile_Throw()
    {
        var bytes = ExportSmall(DistanceMetric.L2);
        var longer = bytes.Concat(new byte[] { 0, 0, 0, 0 }).ToArray();
        Assert.Contains("do not tile", Import(longer).Problem);

        // An upper-list size that is not whole levels.
        var (_, lists) = UpperListsStart(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)lists), 6);
        var e = Import(bytes);
        Assert.Equal("linkListSize", e.Section);
        Assert.Equal(lists, e.Offset);
    }

    [Fact]
    public void CosineImportOfRawInnerProductRows_RefusedWithAdvice()
    {
        var data = Datasets.Gaussian(200, 8, seed: 1);
        using var ip = new HnswIndex(new HnswOptions { Dimensions = 8, Metric = DistanceMetric.InnerProduct, M = 8, EfConstruction = 50 });
        ip.AddRange(Datasets.RowLabels(200), data);
        string path = _folder.File("ip.hnswlib");
        ip.ExportHnswlib(path);
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.ImportHnswlib(path, DistanceMetric.Cosine));
        Assert.Equal("level-0 records", e.Section);
        Assert.Contains("import it as inner product", e.Problem);
        using var asIp = HnswIndex.ImportHnswlib(path, DistanceMetric.InnerProduct);
        Assert.Equal(200, asIp.Count);
    }

    [Fact]
    public void DimensionsGivenThatDoNotMatch_Throw()
    {
        string path = _folder.File("d.hnswlib");
        File.WriteAllBytes(path, ExportSmall(DistanceMetric.L2));
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.ImportHnswlib(path, DistanceMetric.L2, dimensions: 9));
        Assert.Contains("expected 9", e.Problem);
        Assert.Throws<IndexFormatException>(() => HnswIndex.ImportHnswlib(_folder.File("missing"), DistanceMetric.L2));
    }

    internal static HnswIndex Build(DistanceMetric metric, int m, int count, int dims, int seed)
    {
        var index = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = metric, M = m, EfConstruction = 60, Seed = (ulong)seed });
        index.AddRange(Datasets.RowLabels(count), Datasets.Gaussian(count, dims, seed), maxDegreeOfParallelism: 1);
        return index;
    }

    private byte[] ExportSmall(DistanceMetric metric) => ExportSmall(metric, out _, out _);

    private byte[] ExportSmall(DistanceMetric metric, out int m, out long sizePer)
    {
        using var index = Build(metric, m = 4, count: 60, dims: 3, seed: 11);
        string path = _folder.File($"small-{Guid.NewGuid():N}.hnswlib");
        index.ExportHnswlib(path);
        var bytes = File.ReadAllBytes(path);
        sizePer = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24));
        return bytes;
    }

    private static (long Count, long ListsStart) UpperListsStart(byte[] bytes)
    {
        long count = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16));
        long sizePer = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24));
        return (count, 96 + count * sizePer);
    }

    private IndexFormatException Import(byte[] bytes)
    {
        string path = _folder.File($"bad-{Guid.NewGuid():N}.hnswlib");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<IndexFormatException>(() => HnswIndex.ImportHnswlib(path, DistanceMetric.L2));
    }
}

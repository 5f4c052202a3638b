using System.Buffers.Binary;
using System.Text;
using NativeHnsw.Tests.Storage;

namespace NativeHnsw.Tests.Interchange;

/// <summary>FAISS files written by our exporter read back link for link; damaged or foreign ones are refused naming the field and offset.</summary>
public sealed class FaissInterchangeTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2, 16)]
    [InlineData(DistanceMetric.InnerProduct, 5)]
    [InlineData(DistanceMetric.Cosine, 2)]
    [InlineData(DistanceMetric.L2, 40)]
    public void ExportThenImport_SameGraphLinkForLink_SameAnswers(DistanceMetric metric, int m)
    {
        using var original = HnswlibInterchangeTests.Build(metric, m, count: 700, dims: 12, seed: m);
        string path = _folder.File("index.faiss");
        original.ExportFaiss(path);
        using var imported = HnswIndex.ImportFaiss(path, metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null);

        Assert.Equal(metric, imported.Metric);
        GraphAssert.SameGraph(original, imported, compareOptions: false);
        Assert.Equal(original.Options.DefaultEf, imported.Options.DefaultEf);
        Assert.Equal(original.Options.EfConstruction, imported.Options.EfConstruction);
        GraphAssert.SameAnswers(original, imported, Datasets.Gaussian(20, 12, seed: 5), [1, 10], [10, 64]);
        imported.CheckInvariants();

        string again = _folder.File("again.faiss");
        imported.ExportFaiss(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void DeletedAndSupersededNodes_ExportLiveOnly_UntouchedListsKept_RewiredListsFindAsWell(DistanceMetric metric)
    {
        const int count = 700, dims = 12;
        using var index = HnswlibInterchangeTests.Build(metric, 8, count, dims, seed: 3);
        var replacements = Datasets.Gaussian(40, dims, seed: 4);
        for (int i = 0; i < 40; i++)
            index.Add(i * 11, replacements.AsSpan(i * dims, dims));   // the old node of each label is superseded
        for (long label = 3; label < count; label += 7)
            index.MarkDeleted(label);
        Assert.True(index.NodeCount - index.Count > 100);
        string path = _folder.File("hidden.faiss");
        index.ExportFaiss(path);
        using var imported = HnswIndex.ImportFaiss(path, metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null);

        // Only live nodes, in their order, each with its label's current vector.
        Assert.Equal(index.Count, imported.Count);
        Assert.Equal(index.Count, imported.NodeCount);
        imported.CheckInvariants();
        var live = Enumerable.Range(0, index.NodeCount).Where(node => index.DescribeNode(node).State == 0).ToArray();
        var newOf = new Dictionary<int, int>();
        for (int i = 0; i < live.Length; i++)
            newOf[live[i]] = i;
        int untouched = 0, refilled = 0;
        for (int i = 0; i < live.Length; i++)
        {
            var before = index.DescribeNode(live[i]);
            var after = imported.DescribeNode(i);
            Assert.Equal(before.Label, after.Label);
            Assert.Equal(index.GetVector(before.Label), imported.GetVector(after.Label));
            Assert.Equal(before.Links.Length, after.Links.Length);
            for (int level = 0; level < before.Links.Length; level++)
            {
                var kept = before.Links[level].Where(newOf.ContainsKey).Select(n => newOf[n]).ToArray();
                Assert.Equal(kept, after.Links[level].Take(kept.Length));     // live links stay, in order, first
                Assert.InRange(after.Links[level].Length, kept.Length, level == 0 ? 16 : 8);
                Assert.Equal(after.Links[level].Length, after.Links[level].Distinct().Count());
                Assert.DoesNotContain(i, after.Links[level]);
                refilled += after.Links[level].Length - kept.Length;
                if (kept.Length == before.Links[level].Length)
                {
                    Assert.Equal(kept, after.Links[level]);                  // a list that lost nothing is unchanged
                    untouched++;
                }
            }
        }
        Assert.True(untouched > 0 && refilled > 0, $"{untouched} lists untouched, {refilled} slots refilled");

        // Searches find the live set as well as the index with its waypoints does, and never a hidden node.
        var labels = live.Select(node => index.DescribeNode(node).Label).ToArray();
        var vectors = labels.SelectMany(index.GetVector).ToArray();
        var queries = Datasets.Gaussian(100, dims, seed: 9);
        var truth = BruteForce.KNearest(vectors, queries, dims, 10, metric).Select(rows => rows.Select(r => (int)labels[r]).ToArray()).ToArray();
        double before40 = Recall.Measure(index, queries, truth, 10, 40);
        double after40 = Recall.Measure(imported, queries, truth, 10, 40);
        Assert.True(after40 >= before40 - 0.02, $"recall@10 at ef 40: {after40:F4} exported, {before40:F4} with the hidden nodes");
        var liveLabels = labels.ToHashSet();
        for (int q = 0; q < 100; q++)
            Assert.All(imported.Search(queries.AsSpan(q * dims, dims), 10, 40), hit => Assert.Contains(hit.Label, liveLabels));
    }

    [Fact]
    public void EveryNodeDeleted_ExportsAnEmptyIndex()
    {
        using var index = HnswlibInterchangeTests.Build(DistanceMetric.L2, 8, count: 50, dims: 4, seed: 1);
        for (long label = 0; label < 50; label++)
            index.MarkDeleted(label);
        string path = _folder.File("none.faiss");
        index.ExportFaiss(path);
        using var imported = HnswIndex.ImportFaiss(path);
        Assert.Equal(0, imported.NodeCount);
        Assert.Empty(imported.Search(new float[4], 5));
    }

    [Fact]
    public void HiddenEntryPoint_LiveNodeOfTheTopLiveLevelBecomesTheEntry()
    {
        using var index = HnswlibInterchangeTests.Build(DistanceMetric.L2, 4, count: 300, dims: 4, seed: 2);
        int top = Enumerable.Range(0, index.NodeCount).Max(node => index.DescribeNode(node).Links.Length);
        var onTop = Enumerable.Range(0, index.NodeCount).Where(node => index.DescribeNode(node).Links.Length == top).ToArray();
        foreach (int node in onTop)
            index.MarkDeleted(index.DescribeNode(node).Label);   // every node of the top level, the entry point among them
        string path = _folder.File("entry.faiss");
        index.ExportFaiss(path);
        using var imported = HnswIndex.ImportFaiss(path);
        imported.CheckInvariants();
        Assert.Equal(300 - onTop.Length, imported.NodeCount);
        int newTop = Enumerable.Range(0, imported.NodeCount).Max(node => imported.DescribeNode(node).Links.Length);
        Assert.True(newTop < top);
        var query = Datasets.Gaussian(1, 4, seed: 3);
        Assert.Equal(10, imported.Search(query, 10, 64).Length);
    }

    [Fact]
    public void WrongMetricRequested_Throws()
    {
        using var index = HnswlibInterchangeTests.Build(DistanceMetric.L2, 8, count: 50, dims: 4, seed: 1);
        string path = _folder.File("l2.faiss");
        index.ExportFaiss(path);
        Assert.Throws<ArgumentException>(() => HnswIndex.ImportFaiss(path, DistanceMetric.Cosine));
    }

    [Fact]
    public void EmptyIndex_ExportsAndImports()
    {
        using var empty = new HnswIndex(new HnswOptions { Dimensions = 4, Metric = DistanceMetric.InnerProduct, M = 8 });
        string path = _folder.File("empty.faiss");
        empty.ExportFaiss(path);
        using var imported = HnswIndex.ImportFaiss(path);
        Assert.Equal(0, imported.NodeCount);
        Assert.Equal(DistanceMetric.InnerProduct, imported.Metric);
    }

    [Fact]
    public void EveryTruncation_ThrowsIndexFormatException()
    {
        var bytes = ExportSmall();
        string path = _folder.File("cut.faiss");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
            var e = Assert.Throws<IndexFormatException>(() => HnswIndex.ImportFaiss(path));
            Assert.NotNull(e.Section);
        }
    }

    [Theory]
    [InlineData("IwFl", "IndexIVFFlat")]
    [InlineData("zzzz", "unknown index type")]
    public void UnknownOrUnsupportedFourcc_NamesIt(string fourcc, string described)
    {
        var bytes = ExportSmall();
        Encoding.ASCII.GetBytes(fourcc).CopyTo(bytes, 0);
        var e = Import(bytes);
        Assert.Equal("fourcc", e.Section);
        Assert.Equal(0, e.Offset);
        Assert.Contains(described, e.Problem);

        bytes = ExportSmall();
        Encoding.ASCII.GetBytes("IHNp").CopyTo(bytes, 37);   // the index nested in the id map
        e = Import(bytes);
        Assert.Equal(37, e.Offset);
        Assert.Contains("IndexHNSWPQ", e.Problem);
    }

    [Fact]
    public void ImpossibleCountsAndLinks_NameTheField()
    {
        var bytes = ExportSmall();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), 1L << 30);
        Assert.Equal("IxMp ntotal", Import(bytes).Section);

        bytes = ExportSmall();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 0);
        Assert.Equal("IxMp d", Import(bytes).Section);

        // The first level-0 neighbour of node 0 out of range.
        bytes = ExportSmall();
        int neighbors = NeighborsStart(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(neighbors), 99_999);
        var e = Import(bytes);
        Assert.Equal("neighbors", e.Section);
        Assert.Equal(neighbors, e.Offset);

        var longer = ExportSmall().Concat(new byte[] { 1 }).ToArray();
        Assert.Contains("do not tile", Import(longer).Problem);
    }

    [Fact]
    public void IdMap2AndBareHnswFlat_Import_LabelsFromTheMapOrSequential()
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = 3, Metric = DistanceMetric.L2, M = 4, EfConstruction = 30 });
        var data = Datasets.Gaussian(40, 3, seed: 2);
        // One thread: node i holds row i, so the bare file's sequential labels name the rows.
        index.AddRange(Datasets.RowLabels(40).Select(i => 500 + i).ToArray(), data, maxDegreeOfParallelism: 1);
        string path = _folder.File("map.faiss");
        index.ExportFaiss(path);
        var bytes = File.ReadAllBytes(path);

        var map2 = (byte[])bytes.Clone();
        Encoding.ASCII.GetBytes("IxM2").CopyTo(map2, 0);
        File.WriteAllBytes(path, map2);
        using (var imported = HnswIndex.ImportFaiss(path))
            GraphAssert.SameGraph(index, imported, compareOptions: false);

        // Without the wrapper: its header before, its id map (u64 count + 40 ids) after.
        File.WriteAllBytes(path, bytes[37..^(8 + 8 * 40)]);
        using var bare = HnswIndex.ImportFaiss(path);
        Assert.Equal(40, bare.Count);
        for (int i = 0; i < 40; i++)
            Assert.Equal(data.AsSpan(i * 3, 3).ToArray(), bare.GetVector(i));
    }

    [Fact]
    public void IdentifyForeignFile_TellsFormats_NotOurOwnOrNoise()
    {
        using var index = HnswlibInterchangeTests.Build(DistanceMetric.L2, 4, count: 30, dims: 3, seed: 1);
        string faiss = _folder.File("a.faiss"), hnswlib = _folder.File("a.hnswlib"), own = _folder.File("a.nhnsw"), noise = _folder.File("noise");
        index.ExportFaiss(faiss);
        index.ExportHnswlib(hnswlib);
        index.Save(own);
        File.WriteAllBytes(noise, Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray());
        Assert.Equal(("faiss", true), (HnswIndex.IdentifyForeignFile(faiss)!.Library, HnswIndex.IdentifyForeignFile(faiss)!.Importable));
        Assert.Equal("hnswlib", HnswIndex.IdentifyForeignFile(hnswlib)!.Library);
        Assert.Contains("30 elements of 3 dimensions, M 4", HnswIndex.IdentifyForeignFile(hnswlib)!.Description);
        Assert.Null(HnswIndex.IdentifyForeignFile(own));
        Assert.Null(HnswIndex.IdentifyForeignFile(noise));
        Assert.Null(HnswIndex.IdentifyForeignFile(_folder.File("missing")));
    }

    private byte[] ExportSmall()
    {
        using var index = HnswlibInterchangeTests.Build(DistanceMetric.L2, 4, count: 60, dims: 3, seed: 11);
        string path = _folder.File($"small-{Guid.NewGuid():N}.faiss");
        index.ExportFaiss(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Offset of the first neighbour entry: past both headers (2 × 33 + 4), assign_probas, cum, levels, offsets and the length.</summary>
    internal static int NeighborsStart(byte[] bytes)
    {
        int p = 4 + 33 + 4 + 33;
        p += 8 + 8 * (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(p));
        p += 8 + 4 * (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(p));
        p += 8 + 4 * (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(p));
        p += 8 + 8 * (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(p));
        return p + 8;
    }

    private IndexFormatException Import(byte[] bytes)
    {
        string path = _folder.File($"bad-{Guid.NewGuid():N}.faiss");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<IndexFormatException>(() => HnswIndex.ImportFaiss(path));
    }
}

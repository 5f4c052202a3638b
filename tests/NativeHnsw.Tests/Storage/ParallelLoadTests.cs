namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Load reads, hashes and checks a file on every core, its sections cut into 256 KB pieces. These files are large
/// enough for several pieces per section and several compact-row check ranges (2,048 nodes each), and each damaged
/// one holds more than one problem: the problem Load reports must be the first in file order, every time, whichever
/// thread met which problem first.
/// </summary>
public sealed class ParallelLoadTests : IDisposable
{
    private const int Nodes = 3_000;
    private const int Dims = 64;
    private const int Repeats = 12;

    private const uint Vectors = 1, Links0 = 2, Int8Rows = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(VectorQuantization.None)]
    [InlineData(VectorQuantization.Int8)]
    [InlineData(VectorQuantization.Float16)]
    public void ManyPieces_LoadResavesByteForByte(VectorQuantization quantization)
    {
        var bytes = ValidBytes(quantization);
        Assert.True(FileCraft.Find(bytes, Vectors).Length > 2 * (256 << 10), "the vectors must span several pieces");
        string path = Write("valid.nhnsw", bytes);
        for (int round = 0; round < 3; round++)
        {
            using var loaded = HnswIndex.Load(path);
            string again = _folder.File($"again-{round}.nhnsw");
            loaded.Save(again);
            Assert.Equal(bytes, File.ReadAllBytes(again));
        }
    }

    [Fact]
    public void DamageInTwoSections_LoadReportsTheFirstInFileOrder()
    {
        var bytes = ValidBytes(VectorQuantization.None);
        var vectors = FileCraft.Find(bytes, Vectors);
        var links = FileCraft.Find(bytes, Links0);
        Assert.True(vectors.Offset < links.Offset);
        // The last piece of the vectors (read last: the graph's pieces are claimed first) and the first of links0.
        bytes[vectors.Offset + vectors.Length - 3] ^= 0x40;
        bytes[links.Offset + 5] ^= 0x01;
        AssertEveryLoadFails(Write("two.nhnsw", bytes), "vectors", "checksum mismatch");
    }

    [Fact]
    public void BadRowAndBadLink_WithValidChecksums_LoadReportsTheRowThenTheLink()
    {
        var bytes = ValidBytes(VectorQuantization.None);
        var vectors = FileCraft.Find(bytes, Vectors);
        var links = FileCraft.Find(bytes, Links0);
        // Node 2,900's first component NaN (in the vectors' last piece), node 10's first link out of range.
        FileCraft.WriteInt32(bytes, vectors.Offset + 2_900L * Dims * sizeof(float), BitConverter.SingleToInt32Bits(float.NaN));
        FileCraft.WriteInt32(bytes, links.Offset + (10L * (1 + 32) + 1) * sizeof(int), Nodes + 7);
        FileCraft.Reseal(bytes);
        AssertEveryLoadFails(Write("row-and-link.nhnsw", bytes), "vectors", "node 2900's vector has a NaN");

        // With the row repaired, the graph's problem is the one left.
        FileCraft.WriteInt32(bytes, vectors.Offset + 2_900L * Dims * sizeof(float), BitConverter.SingleToInt32Bits(0.5f));
        FileCraft.Reseal(bytes);
        AssertEveryLoadFails(Write("link.nhnsw", bytes), "links0", $"node 10 links to node {Nodes + 7}");
    }

    [Fact]
    public void TwoWrongInt8Rows_WithValidChecksums_LoadNamesTheLowerNode()
    {
        var bytes = ValidBytes(VectorQuantization.Int8);
        var rows = FileCraft.Find(bytes, Int8Rows);
        long stride = rows.Length / Nodes;
        // In different check ranges (nodes 0..2,047 and 2,048..): the later range may well be checked first.
        bytes[rows.Offset + 2_500 * stride] ^= 0x01;
        bytes[rows.Offset + 700 * stride + 1] ^= 0x01;
        FileCraft.Reseal(bytes);
        AssertEveryLoadFails(Write("int8.nhnsw", bytes), "int8vectors", "int8 row of node 700 ");
    }

    private byte[] ValidBytes(VectorQuantization quantization)
    {
        using var index = new HnswIndex(new HnswOptions
        {
            Dimensions = Dims,
            Metric = DistanceMetric.L2,
            M = 16,
            EfConstruction = 24,
            Quantization = quantization,
            QuantizerTrainingSize = 500,
        });
        index.AddRange(Datasets.RowLabels(Nodes), Datasets.Gaussian(Nodes, Dims, seed: 5));
        return FileCraft.SavedBytes(index, _folder);
    }

    private string Write(string name, byte[] bytes) => FileCraft.Write(_folder, name, bytes);

    /// <summary>Loads <paramref name="path"/> <see cref="Repeats"/> times: each must fail in <paramref name="section"/> with <paramref name="problem"/>.</summary>
    private static void AssertEveryLoadFails(string path, string section, string problem)
    {
        for (int round = 0; round < Repeats; round++)
        {
            var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path).Dispose());
            Assert.Equal(section, e.Section);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }
    }
}

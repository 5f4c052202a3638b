using System.Globalization;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// The file against hnswlib's for the same graph. Levels are a function of the seed and node id alone, so a file's
/// layout (IndexHeader.ForIndex) and hnswlib's saveIndex size follow from the level draw without building anything.
/// </summary>
public sealed class FileSizeTests
{
    /// <summary>The figures of docs/FORMAT.md ("Size against hnswlib's"), default options (M 16, seed 42).</summary>
    [Theory]
    [InlineData(10_000, 128, 6_587_408, 6_627_456, 6_605_724)]
    [InlineData(60_000, 784, 196_944_288, 197_184_320, 197_072_980)]
    public void BulkLoadedFile_IsNoLargerThanHnswlibs(int n, int dims, long expectedOurs, long expectedWithLabelIndex, long expectedHnswlib)
    {
        var options = new HnswOptions { Dimensions = dims, Metric = DistanceMetric.L2 };
        var (ours, withLabelIndex, hnswlib) = Sizes(options, n);
        Assert.True(ours <= hnswlib, string.Create(CultureInfo.InvariantCulture, $"{ours:N0} bytes against hnswlib's {hnswlib:N0}"));
        Assert.Equal((expectedOurs, expectedWithLabelIndex, expectedHnswlib), (ours, withLabelIndex, hnswlib));
    }

    [Fact]
    public void Layout_MatchesTheBytesSaveWrites()
    {
        var spec = new IndexSpec(8, 120, DistanceMetric.L2, M: 4, EfConstruction: 24, DefaultEf: 12,
            DeleteFraction: 0, ReplaceFraction: 0, RandomLabels: false, Threads: 1, Seed: 4_321);
        using var folder = new TempDirectory();
        using (var index = spec.Build())
            index.Save(folder.File("bulk.nhnsw"));
        Assert.Equal(Sizes(spec.Options, 120).Ours, new FileInfo(folder.File("bulk.nhnsw")).Length);
    }

    /// <summary>On many threads too, a batch's rows take node ids in batch order: ascending labels need no label index.</summary>
    [Fact]
    public void ParallelBulkLoad_AscendingLabels_SavesWithoutLabelIndex()
    {
        const int n = 3_000;
        var data = Datasets.Gaussian(n, 16, seed: 31);
        using var folder = new TempDirectory();
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 16, Metric = DistanceMetric.L2 }))
        {
            index.AddRange(Datasets.RowLabels(n), data, maxDegreeOfParallelism: 4);
            for (int node = 0; node < n; node += 97)
                Assert.Equal(node, index.DescribeNode(node).Label);
            index.Save(folder.File("bulk.nhnsw"));
        }
        var bytes = File.ReadAllBytes(folder.File("bulk.nhnsw"));
        Assert.Equal(3u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.DoesNotContain(FileCraft.Sections(bytes), section => section.Id == 7);
        using var mapped = HnswIndex.Open(folder.File("bulk.nhnsw"));
        Assert.True(mapped.Contains(n - 1));
        Assert.False(mapped.Contains(n));
        Assert.Equal(data.AsSpan(5 * 16, 16).ToArray(), mapped.GetVector(5));
    }

    /// <summary>Our file (label index implicit, and stored) and hnswlib's for <paramref name="n"/> nodes of the level draw.</summary>
    private static (long Ours, long WithLabelIndex, long Hnswlib) Sizes(HnswOptions options, int n)
    {
        int m = options.M;
        double scale = 1.0 / Math.Log(m);
        long upperUsed = 0, hnswlibUpper = 0;
        int upperNodes = 0, top = 0, topNode = 0;
        for (int node = 0; node < n; node++)
        {
            int level = HnswIndex.DrawLevel(options.Seed, scale, node);
            hnswlibUpper += 4 + (long)level * (4 + 4 * m);
            if (level > 0)
            {
                upperNodes++;
                upperUsed += 1 + (long)level * (1 + m);
            }
            if (level > top)
                (top, topNode) = (level, node);
        }
        long entry = ((long)top << 32) | (uint)topNode;
        long ours = IndexHeader.ForIndex(options, n, n, 0, 0, upperUsed, entry, upperNodes, labelsAscend: true).FileLength;
        long withIndex = IndexHeader.ForIndex(options, n, n, 0, 0, upperUsed, entry, upperNodes, labelsAscend: false).FileLength;
        // hnswlib saveIndex: 96-byte header; per node level-0 links (4 + 2M·4), vector, label; per node its upper list.
        long hnswlib = 96 + (long)n * (4 + 2 * m * 4 + (long)options.Dimensions * sizeof(float) + sizeof(long)) + hnswlibUpper;
        return (ours, withIndex, hnswlib);
    }
}

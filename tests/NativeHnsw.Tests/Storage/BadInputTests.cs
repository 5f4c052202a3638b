using System.Buffers.Binary;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>Each way a file can be wrong gives an <see cref="IndexFormatException"/> naming the file, the section and the problem.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Operations() => new() { "load", "open", "verify" };

    [Theory]
    [MemberData(nameof(Operations))]
    public void MissingFile_Throws(string operation)
    {
        string path = _folder.File("missing.nhnsw");
        var e = Run(operation, path);
        Assert.IsType<FileNotFoundException>(e.InnerException);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Folder_Throws(string operation)
    {
        var e = Run(operation, _folder.Path);
        Assert.Contains("folder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void EmptyFile_Throws(string operation)
    {
        string path = Write("empty.nhnsw", []);
        Assert.Contains("empty", Run(operation, path).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void WrongMagic_Throws(string operation)
    {
        var bytes = ValidBytes();
        bytes[0] = (byte)'X';
        var e = Run(operation, Write("magic.nhnsw", bytes));
        Assert.Equal("header", e.Section);
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void NewerMajorVersion_ThrowsNamingTheVersion(string operation)
    {
        var bytes = ValidBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        FileCraft.ResealHeader(bytes);
        var e = Run(operation, Write("v2.nhnsw", bytes));
        Assert.Contains("version 2.2", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewerMinorVersion_IsRead()
    {
        var bytes = ValidBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), 7);
        FileCraft.ResealHeader(bytes);
        string path = Write("v1.7.nhnsw", bytes);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        Assert.Equal(loaded.Count, mapped.Count);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void AbsurdNodeCount_ThrowsWithoutAllocating(string operation)
    {
        var bytes = ValidBytes();
        FileCraft.WriteInt32(bytes, 48, HnswIndex.MaxNodes);
        FileCraft.WriteInt32(bytes, 52, HnswIndex.MaxNodes);
        FileCraft.ResealHeader(bytes);
        var e = Run(operation, Write("huge.nhnsw", bytes));
        Assert.Equal("header", e.Section);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void OverflowingSectionLength_Throws(string operation)
    {
        var bytes = ValidBytes();
        var vectors = FileCraft.Find(bytes, 1);
        FileCraft.WriteInt64(bytes, vectors.EntryAt + 16, long.MaxValue - 8);
        FileCraft.ResealHeader(bytes);
        var e = Run(operation, Write("overflow.nhnsw", bytes));
        Assert.Contains("vectors", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Truncated_Throws(string operation)
    {
        var bytes = ValidBytes();
        var e = Run(operation, Write("short.nhnsw", bytes[..^1]));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlippedVectorBit_LoadNamesSectionAndChecksums()
    {
        var bytes = ValidBytes();
        var vectors = FileCraft.Find(bytes, 1);
        bytes[vectors.Offset + 3] ^= 0x10;
        string path = Write("flip.nhnsw", bytes);
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path));
        Assert.Equal("vectors", e.Section);
        Assert.Equal(vectors.Offset, e.Offset);
        Assert.Matches("section 'vectors' at offset \\d+: checksum mismatch \\(expected 0x[0-9a-f]{16}, found 0x[0-9a-f]{16}\\)", e.Message);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LinkOutOfRange_WithValidChecksums_LoadAndVerifyNameTheNode_OpenSearchesSafely()
    {
        var bytes = ValidBytes();
        var links0 = FileCraft.Find(bytes, 2);
        // Node 3's first level-0 link points far past the last node.
        int stride = 1 + 2 * 4;
        long at = links0.Offset + (3L * stride + 1) * sizeof(int);
        FileCraft.WriteInt32(bytes, at - sizeof(int), 1);
        FileCraft.WriteInt32(bytes, at, 1 << 30);
        FileCraft.Reseal(bytes);
        string path = Write("badlink.nhnsw", bytes);

        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path));
        Assert.Equal("links0", e.Section);
        Assert.Contains("node 3 links to node 1073741824", e.Message, StringComparison.Ordinal);
        Assert.Throws<IndexFormatException>(() => HnswIndex.Verify(path));

        using var mapped = HnswIndex.Open(path);
        var queries = Datasets.Gaussian(20, 8, seed: 2);
        for (int q = 0; q < 20; q++)
            Assert.All(mapped.Search(queries.AsSpan(q * 8, 8), 10, 50), r => Assert.True(r.Label is >= 0 and < 300));
    }

    [Fact]
    public void LabelIndexOutOfRange_WithValidChecksums_MappedLookupThrowsFormatException()
    {
        var bytes = ValidBytes(descendingLabels: true);
        var index = FileCraft.Find(bytes, 7);
        for (long at = index.Offset; at < index.Offset + index.Length; at += 4)
            FileCraft.WriteInt32(bytes, at, int.MaxValue);
        FileCraft.Reseal(bytes);
        string path = Write("badindex.nhnsw", bytes);
        Assert.Equal("labelindex", Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path)).Section);
        using var mapped = HnswIndex.Open(path);
        Assert.Equal("labelindex", Assert.Throws<IndexFormatException>(() => mapped.Contains(5)).Section);
    }

    [Fact]
    public void UpperIndexIdsOutOfOrder_WithValidChecksums_LoadRejectsAndMappedSearchStaysInside()
    {
        var bytes = ValidBytes();
        var upper = FileCraft.Find(bytes, 11);
        int count = (int)(upper.Length / 8);
        Assert.True(count >= 2, $"the index has {count} nodes with upper levels");
        int first = FileCraft.ReadInt32(bytes, upper.Offset), second = FileCraft.ReadInt32(bytes, upper.Offset + 4);
        FileCraft.WriteInt32(bytes, upper.Offset, second);
        FileCraft.WriteInt32(bytes, upper.Offset + 4, first);
        FileCraft.Reseal(bytes);
        string path = Write("upperindex.nhnsw", bytes);
        foreach (var operation in new[] { "load", "verify" })
        {
            var e = Run(operation, path);
            Assert.Equal("upperindex", e.Section);
            Assert.Contains("must ascend strictly", e.Message, StringComparison.Ordinal);
        }
        using var mapped = HnswIndex.Open(path);
        var queries = Datasets.Gaussian(20, 8, seed: 3);
        for (int q = 0; q < 20; q++)
            Assert.All(mapped.Search(queries.AsSpan(q * 8, 8), 10, 50), r => Assert.True(r.Label is >= 0 and < 300));
    }

    [Fact]
    public void EntryPointOffTopLevel_WithValidChecksums_VerifyThrows()
    {
        var bytes = ValidBytes();
        // The entry point moved to a node without upper levels: the header alone cannot tell.
        // 1.2: section 11 lists the nodes with upper levels (ids ascending, then offsets); any other node has level 0.
        var upper = FileCraft.Find(bytes, 11);
        var withLevels = Enumerable.Range(0, (int)(upper.Length / 8)).Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)upper.Offset + i * 4))).ToHashSet();
        int levelZeroNode = Enumerable.Range(0, 300).First(node => !withLevels.Contains(node));
        FileCraft.WriteInt32(bytes, 72, levelZeroNode);
        FileCraft.ResealHeader(bytes);
        var bytesPath = Write("entry.nhnsw", bytes);
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Verify(bytesPath));
        Assert.Contains("entry point", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Fifo_FailsAtOnceNamingIt(string operation)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "named pipes are checked on Linux");
        string path = _folder.File("pipe.nhnsw");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var run = Task.Run(() => Run(operation, path), TestContext.Current.CancellationToken);
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)) != run)
        {
            // Unblock the reader stuck in open(2) so the test process can end.
            await using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            Assert.Fail($"{operation} of a FIFO blocked instead of failing");
        }
        Assert.Contains("named pipe (FIFO)", (await run).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Device_FailsNamingIt(string operation)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "devices are checked on Linux");
        foreach (string device in new[] { "/dev/zero", "/dev/null" })
            Assert.Contains("character device", Run(operation, device).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("load")]
    [InlineData("verify")]
    public void SparseFileDeclaringMaxNodes_ThrowsTooLarge_NotOutOfMemory(string operation)
    {
        var options = new HnswOptions { Dimensions = 1, Metric = DistanceMetric.L2, M = 2 };
        var layout = NativeHnsw.IndexFiles.IndexHeader.ForIndex(options, HnswIndex.MaxNodes, HnswIndex.MaxNodes, 0, 0, 0, packedEntry: 0, upperNodeCount: 0, labelsAscend: false);
        string path = WriteSparse("max-nodes.nhnsw", layout);
        var e = Assert.Throws<IndexTooLargeException>(() =>
        {
            if (operation == "load")
                HnswIndex.Load(path).Dispose();
            else
                HnswIndex.Verify(path);
        });
        Assert.Equal(path, e.FilePath);
        Assert.Contains("HnswIndex.Open", e.Message, StringComparison.Ordinal);
        Assert.True(e.RequiredBytes > (long)HnswIndex.MaxNodes * 40, $"required {e.RequiredBytes}");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void SparseFileDeclaringHugePool_HeaderRejectsItBeforeReading(string operation)
    {
        // 1,000 nodes with levels up to 3 at M = 4 fill at most 1,000 × 16 ints; this header claims 2^31 (8.6 GB).
        var options = new HnswOptions { Dimensions = 8, Metric = DistanceMetric.L2, M = 4 };
        var layout = NativeHnsw.IndexFiles.IndexHeader.ForIndex(options, 1_000, 1_000, 0, 0, upperUsed: 1L << 31, packedEntry: 3L << 32, upperNodeCount: 0, labelsAscend: false);
        var e = Run(operation, WriteSparse("huge-pool.nhnsw", layout));
        Assert.Equal("header", e.Section);
        Assert.Contains("upper-level pool size 2147483648 ints is outside 16..16000", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void PoolWithTopLevelZero_HeaderRejectsIt(string operation)
    {
        var options = new HnswOptions { Dimensions = 8, Metric = DistanceMetric.L2, M = 4 };
        var layout = NativeHnsw.IndexFiles.IndexHeader.ForIndex(options, 10, 10, 0, 0, upperUsed: 9, packedEntry: 0, upperNodeCount: 0, labelsAscend: false);
        var e = Run(operation, WriteSparse("pool-level0.nhnsw", layout));
        Assert.Contains("the top level is 0", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A header as the writer lays it out (zero checksums), then a hole up to the length it declares.</summary>
    private string WriteSparse(string name, NativeHnsw.IndexFiles.IndexHeader layout)
    {
        string path = _folder.File(name);
        var head = new byte[layout.Size];
        layout.WriteTo(head);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.Write(head);
        file.SetLength(layout.FileLength);
        return path;
    }

    /// <summary>300 vectors, labels 0..299; added in descending label order, the file has a stored label index (1.2 leaves it implicit for ascending labels).</summary>
    private byte[] ValidBytes(bool descendingLabels = false)
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = 8, Metric = DistanceMetric.L2, M = 4, EfConstruction = 32 });
        var labels = Datasets.RowLabels(300);
        if (descendingLabels)
            Array.Reverse(labels);
        index.AddRange(labels, Datasets.Gaussian(300, 8, seed: 1));
        return FileCraft.SavedBytes(index, _folder);
    }

    private string Write(string name, byte[] bytes) => FileCraft.Write(_folder, name, bytes);

    private static IndexFormatException Run(string operation, string path)
    {
        var e = Assert.Throws<IndexFormatException>(() =>
        {
            switch (operation)
            {
                case "load":
                    HnswIndex.Load(path).Dispose();
                    break;
                case "open":
                    HnswIndex.Open(path).Dispose();
                    break;
                default:
                    HnswIndex.Verify(path);
                    break;
            }
        });
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e;
    }
}

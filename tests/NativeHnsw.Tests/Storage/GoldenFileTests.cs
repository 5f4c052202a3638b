using System.Buffers.Binary;
using System.Globalization;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Small indexes written by formats 1.0, 1.1 and 1.2 are kept under Fixtures/, with the answers they gave
/// (<see cref="RecordedAnswers"/>). Any change that makes this version read them differently, answer
/// differently, or write a 1.2 one back differently, is a format change and must come with a version bump
/// (docs/FORMAT.md, "Compatibility").
/// </summary>
public sealed class GoldenFileTests
{
    private const string IndexFile = "golden-v1.nhnsw";
    private const string AnswersFile = "golden-v1.answers.txt";
    private const string V11File = "golden-v1.1.nhnsw";
    private const string V11AnswersFile = "golden-v1.1.answers.txt";
    private const string V12File = "golden-v1.2.nhnsw";
    private const string V12BulkFile = "golden-v1.2-bulk.nhnsw";
    private const string V12BulkAnswersFile = "golden-v1.2-bulk.answers.txt";
    private const int Dims = 8;

    [Fact]
    public void GoldenV1_LoadsOpensAndAnswersAsRecorded()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", IndexFile);
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", AnswersFile));
        var verification = HnswIndex.Verify(path);
        Assert.Equal("1.0", verification.FormatVersion);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        RecordedAnswers.AssertMatch(expected, Answers(loaded));
        RecordedAnswers.AssertMatch(expected, Answers(mapped));
    }

    /// <summary>The 1.2 golden files are written back byte for byte.</summary>
    [Theory]
    [InlineData(V12File)]
    [InlineData(V12BulkFile)]
    public void GoldenV12_SavedAgain_IsByteIdentical(string fixture)
    {
        string path = Fixture(fixture);
        using var folder = new TempDirectory();
        using var loaded = HnswIndex.Load(path);
        loaded.Save(folder.File("again.nhnsw"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(folder.File("again.nhnsw")));
    }

    /// <summary>The 1.0 golden file saved by this version is the 1.2 golden file: the same graph in the 1.2 layout.</summary>
    [Fact]
    public void GoldenV1_SavedAgain_IsTheV12GoldenFile()
    {
        using var folder = new TempDirectory();
        using (var loaded = HnswIndex.Load(Fixture(IndexFile)))
            loaded.Save(folder.File("again.nhnsw"));
        Assert.Equal(File.ReadAllBytes(Fixture(V12File)), File.ReadAllBytes(folder.File("again.nhnsw")));
    }

    [Fact]
    public void GoldenV11_LoadsOpensAndAnswersAsRecorded()
    {
        string path = Fixture(V11File);
        var expected = File.ReadAllLines(Fixture(V11AnswersFile));
        Assert.Equal("1.1", HnswIndex.Verify(path).FormatVersion);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        Assert.True(loaded.IsQuantized);
        Assert.True(mapped.IsQuantized);
        RecordedAnswers.AssertMatch(expected, QuantizedAnswers(loaded));
        RecordedAnswers.AssertMatch(expected, QuantizedAnswers(mapped));
    }

    /// <summary>The 1.1 (int8) golden file saved again is a 1.2 file that answers as the 1.1 file does, and saves again unchanged.</summary>
    [Fact]
    public void GoldenV11_SavedAgain_Is12AndAnswersTheSame()
    {
        using var folder = new TempDirectory();
        using var original = HnswIndex.Load(Fixture(V11File));
        original.Save(folder.File("a.nhnsw"));
        Assert.Equal("1.2", HnswIndex.Verify(folder.File("a.nhnsw")).FormatVersion);
        using var again = HnswIndex.Load(folder.File("a.nhnsw"));
        Assert.Equal(Answers(original), Answers(again));
        again.Save(folder.File("b.nhnsw"));
        Assert.Equal(File.ReadAllBytes(folder.File("a.nhnsw")), File.ReadAllBytes(folder.File("b.nhnsw")));
    }

    [Theory]
    [InlineData(V12File, AnswersFile, IndexFormatFlags.SparseUpperOffsets)]
    [InlineData(V12BulkFile, V12BulkAnswersFile, IndexFormatFlags.SparseUpperOffsets | IndexFormatFlags.ImplicitLabelIndex)]
    public void GoldenV12_LoadsOpensAndAnswersAsRecorded(string fixture, string answers, IndexFormatFlags flags)
    {
        string path = Fixture(fixture);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal((uint)flags, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(FormatSpec.Verdict.Valid, FormatSpec.Check(bytes).Verdict);
        Assert.Equal("1.2", HnswIndex.Verify(path).FormatVersion);
        var expected = File.ReadAllLines(Fixture(answers));
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        RecordedAnswers.AssertMatch(expected, Answers(loaded));
        RecordedAnswers.AssertMatch(expected, Answers(mapped));
        foreach (long label in new long[] { 0, 7, 60, 119, -1, 1_000_000 })
            Assert.Equal(loaded.Contains(label), mapped.Contains(label));
    }

    /// <summary>
    /// What a 1.0 or 1.1 reader does with a 1.2 file: both required the feature flags at byte 16 to be zero and refuse
    /// any other value ("unknown required feature flags …; the file needs a newer reader") before reading a section,
    /// so neither misreads the sparse upper offsets or the missing label index. FormatSpec's 1.0 reading (the flag
    /// rule is the same in 1.1) refuses the header; this reader refuses a flag it does not know in the same words.
    /// </summary>
    [Fact]
    public void OlderReaders_RefuseA12FileByItsRequiredFlags()
    {
        var bytes = File.ReadAllBytes(Fixture(V12BulkFile));
        var asOlder = FormatSpec.Check(bytes, asVersion10: true);
        Assert.Equal(FormatSpec.Verdict.Invalid, asOlder.Verdict);
        Assert.False(asOlder.HeaderValid);
        Assert.Equal("flags", asOlder.Reason);

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)) | 4);
        FileCraft.ResealHeader(bytes);
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("newer.nhnsw"), bytes);
        foreach (var open in new Action<string>[] { p => HnswIndex.Load(p).Dispose(), p => HnswIndex.Open(p).Dispose(), p => HnswIndex.Verify(p) })
        {
            var e = Assert.Throws<IndexFormatException>(() => open(folder.File("newer.nhnsw")));
            Assert.Contains("unknown required feature flags 0x00000004; the file needs a newer reader", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Regenerates the fixtures; run explicitly, and only together with a format version change.</summary>
    [Fact(Explicit = true)]
    public void GoldenV1_Regenerate()
    {
        var fixtures = Path.Combine(new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.FullName, "Fixtures");
        var spec = new IndexSpec(Dims, 120, DistanceMetric.Cosine, M: 4, EfConstruction: 24, DefaultEf: 12,
            DeleteFraction: 0.1, ReplaceFraction: 0.1, RandomLabels: true, Threads: 1, Seed: 1_234);
        using var index = spec.Build();
        index.Save(Path.Combine(fixtures, IndexFile));
        File.WriteAllLines(Path.Combine(fixtures, AnswersFile), Answers(index));
    }

    /// <summary>Regenerates the 1.2 fixtures: the 1.0 file's graph saved again, and a bulk load (ascending labels, no deletes).</summary>
    [Fact(Explicit = true)]
    public void GoldenV12_Regenerate()
    {
        var fixtures = Path.Combine(new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.FullName, "Fixtures");
        using (var fromV1 = HnswIndex.Load(Path.Combine(fixtures, IndexFile)))
            fromV1.Save(Path.Combine(fixtures, V12File));
        var spec = new IndexSpec(Dims, 120, DistanceMetric.L2, M: 4, EfConstruction: 24, DefaultEf: 12,
            DeleteFraction: 0, ReplaceFraction: 0, RandomLabels: false, Threads: 1, Seed: 4_321);
        using var bulk = spec.Build();
        bulk.Save(Path.Combine(fixtures, V12BulkFile));
        File.WriteAllLines(Path.Combine(fixtures, V12BulkAnswersFile), Answers(bulk));
    }

    /// <summary>Regenerates the 1.1 fixture; run explicitly, and only together with a format version change.</summary>
    [Fact(Explicit = true)]
    public void GoldenV11_Regenerate()
    {
        var fixtures = Path.Combine(new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.FullName, "Fixtures");
        using var index = new HnswIndex(new HnswOptions
        {
            Dimensions = 8,
            Metric = DistanceMetric.L2,
            M = 4,
            EfConstruction = 24,
            DefaultEf = 12,
            Quantization = VectorQuantization.Int8,
            QuantizerTrainingSize = 60,
            Seed = 1_234,
        });
        var data = Datasets.Gaussian(120, 8, seed: 1_234);
        for (int i = 0; i < 120; i++)
            index.Add(i * 3, Datasets.Row(data, 8, i));
        index.MarkDeleted(9);
        index.Save(Path.Combine(fixtures, V11File));
        File.WriteAllLines(Path.Combine(fixtures, V11AnswersFile), QuantizedAnswers(index));
    }

    /// <summary>Bits of the required feature flags (header byte 16) as docs/FORMAT.md names them.</summary>
    [Flags]
    public enum IndexFormatFlags : uint
    {
        None = 0,
        SparseUpperOffsets = 1,
        ImplicitLabelIndex = 2,
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string[] Answers(HnswIndex index) => RecordedAnswers.Of(index,
        string.Create(CultureInfo.InvariantCulture, $"count {index.Count} nodes {index.NodeCount} ef {index.Options.DefaultEf} metric {index.Metric}"),
        Datasets.Gaussian(6, Dims, seed: 99), Dims);

    private static string[] QuantizedAnswers(HnswIndex index) => RecordedAnswers.Of(index,
        string.Create(CultureInfo.InvariantCulture, $"count {index.Count} nodes {index.NodeCount} quantized {index.IsQuantized} metric {index.Metric}"),
        Datasets.Gaussian(6, Dims, seed: 99), Dims);
}

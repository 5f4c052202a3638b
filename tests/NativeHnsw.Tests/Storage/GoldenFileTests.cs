using System.Globalization;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// A small index written by format 1.0 is kept under Fixtures/, with the answers it gave. Any change
/// that makes this version read it differently, answer differently, or write it back differently,
/// is a format change and must come with a version bump (docs/FORMAT.md, "Compatibility").
/// </summary>
public sealed class GoldenFileTests
{
    private const string IndexFile = "golden-v1.nhnsw";
    private const string AnswersFile = "golden-v1.answers.txt";
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
        Assert.Equal(expected, Answers(loaded));
        Assert.Equal(expected, Answers(mapped));
    }

    /// <summary>Each golden file (1.0, and the int8 1.1 one of <see cref="QuantizedFileTests"/>) is written back byte for byte.</summary>
    [Theory]
    [InlineData(IndexFile)]
    [InlineData("golden-v1.1.nhnsw")]
    public void Golden_SavedAgain_IsByteIdentical(string fixture)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture);
        using var folder = new TempDirectory();
        using var loaded = HnswIndex.Load(path);
        loaded.Save(folder.File("again.nhnsw"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(folder.File("again.nhnsw")));
    }

    /// <summary>Regenerates the fixture; run explicitly, and only together with a format version change.</summary>
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

    private static string[] Answers(HnswIndex index)
    {
        var queries = Datasets.Gaussian(6, Dims, seed: 99);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"count {index.Count} nodes {index.NodeCount} ef {index.Options.DefaultEf} metric {index.Metric}"),
        };
        for (int q = 0; q < 6; q++)
        {
            foreach (var hit in index.Search(queries.AsSpan(q * Dims, Dims), 5))
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{q} {hit.Label} {BitConverter.SingleToInt32Bits(hit.Distance):x8}"));
        }
        return [.. lines];
    }
}

using System.Globalization;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Format 1.1 (an int8-quantized index): round trips through Save, Load and Open; what a 1.0 reader makes of
/// a 1.1 file; and fuzzed damage to the two new sections and the new header fields.
/// </summary>
public sealed class QuantizedFileTests
{
    private const string GoldenFile = "golden-v1.1.nhnsw";

    [Theory]
    [InlineData(VectorQuantization.Int8, DistanceMetric.Cosine, 17, 900)]
    [InlineData(VectorQuantization.Int8, DistanceMetric.L2, 64, 1_300)]
    [InlineData(VectorQuantization.Int8, DistanceMetric.InnerProduct, 5, 700)]
    [InlineData(VectorQuantization.Float16, DistanceMetric.Cosine, 17, 900)]
    [InlineData(VectorQuantization.Float16, DistanceMetric.L2, 64, 1_300)]
    [InlineData(VectorQuantization.Float16, DistanceMetric.InnerProduct, 5, 700)]
    public void SaveLoadOpen_QuantizedIndex_AnswersIdenticallyAndResavesByteForByte(VectorQuantization quantization, DistanceMetric metric, int dims, int n)
    {
        using var folder = new TempDirectory();
        using var index = Build(metric, dims, n, trainingSize: 256, seed: dims, quantization);
        index.MarkDeleted(3);
        index.Add(5, Datasets.Row(Datasets.Gaussian(1, dims, seed: 77), dims, 0));
        string path = folder.File("q.nhnsw");
        index.Save(path);

        Assert.Equal("1.2", HnswIndex.Verify(path).FormatVersion);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        Assert.True(loaded.IsQuantized);
        Assert.True(mapped.IsQuantized);
        Assert.Equal(index.Options, loaded.Options);
        Assert.Equal(index.Options, mapped.Options);
        var queries = Datasets.Gaussian(20, dims, seed: 1_000 + dims);
        var expected = Answers(index, queries, dims);
        Assert.Equal(expected, Answers(loaded, queries, dims));
        Assert.Equal(expected, Answers(mapped, queries, dims));

        loaded.Save(folder.File("again.nhnsw"));
        mapped.Save(folder.File("mapped.nhnsw"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(folder.File("again.nhnsw")));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(folder.File("mapped.nhnsw")));
    }

    /// <summary>
    /// Without re-ranking a search returns the compact estimates, which differ from exact distances: a mapped
    /// file returning the same estimates as the index that wrote it shows the walk ran on the int8 rows in place.
    /// </summary>
    [Fact]
    public void Open_WithoutRerank_WalksTheMappedInt8Rows()
    {
        using var folder = new TempDirectory();
        const int dims = 20;
        var data = Datasets.Gaussian(800, dims, seed: 12);
        using var index = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = DistanceMetric.L2, Quantization = VectorQuantization.Int8, Rerank = false, QuantizerTrainingSize = 100 });
        index.AddRange(Datasets.RowLabels(800), data);
        index.Save(folder.File("n.nhnsw"));
        using var mapped = HnswIndex.Open(folder.File("n.nhnsw"));
        Assert.False(mapped.Options.Rerank);
        var queries = Datasets.Gaussian(10, dims, seed: 13);
        Assert.Equal(Answers(index, queries, dims), Answers(mapped, queries, dims));
        var hits = mapped.Search(queries.AsSpan(0, dims), 5);
        Assert.Contains(hits, h => h.Distance != NativeHnsw.Distance.VectorDistance.Compute(DistanceMetric.L2, queries.AsSpan(0, dims), Datasets.Row(data, dims, (int)h.Label)));
    }

    /// <summary>A loaded quantized index goes on adding: new rows are encoded with the loaded quantizer, and the file stays valid.</summary>
    [Fact]
    public void Load_ThenAdd_EncodesWithTheLoadedQuantizer()
    {
        using var folder = new TempDirectory();
        const int dims = 12;
        using (var index = Build(DistanceMetric.L2, dims, 600, trainingSize: 100, seed: 2))
            index.Save(folder.File("a.nhnsw"));
        using var loaded = HnswIndex.Load(folder.File("a.nhnsw"));
        var more = Datasets.Gaussian(300, dims, seed: 3);
        for (int i = 0; i < 300; i++)
            loaded.Add(10_000 + i, Datasets.Row(more, dims, i));
        for (int i = 0; i < 300; i += 11)
            Assert.Equal(10_000 + i, loaded.Search(Datasets.Row(more, dims, i), 1, 64)[0].Label);
        loaded.Save(folder.File("b.nhnsw"));
        Assert.Equal(900, HnswIndex.Verify(folder.File("b.nhnsw")).Count);
    }

    /// <summary>Below the training size an int8 index has no quantizer yet: its file is 1.1 without the two sections, and training resumes after a load.</summary>
    [Fact]
    public void Untrained_SavesWithoutInt8Sections_AndTrainsAfterLoad()
    {
        using var folder = new TempDirectory();
        const int dims = 6;
        using (var index = Build(DistanceMetric.Cosine, dims, 50, trainingSize: 80, seed: 4))
        {
            Assert.False(index.IsQuantized);
            index.Save(folder.File("u.nhnsw"));
        }
        var bytes = File.ReadAllBytes(folder.File("u.nhnsw"));
        Assert.DoesNotContain(FileCraft.Sections(bytes), s => s.Id is 8 or 9);
        Assert.Equal("1.2", HnswIndex.Verify(folder.File("u.nhnsw")).FormatVersion);
        using var loaded = HnswIndex.Load(folder.File("u.nhnsw"));
        Assert.Equal(VectorQuantization.Int8, loaded.Options.Quantization);
        Assert.Equal(80, loaded.Options.QuantizerTrainingSize);
        var more = Datasets.Gaussian(30, dims, seed: 5);
        for (int i = 0; i < 30; i++)
            loaded.Add(1_000 + i, Datasets.Row(more, dims, i));
        Assert.True(loaded.IsQuantized);
    }

    /// <summary>
    /// What a 1.0 reader does with a 1.1 file: FORMAT.md 1.0 lets it skip sections with ids it does not know
    /// (checksums checked) and ignore header bytes 96..127. FormatSpec is a reading of the 1.0 rules alone; it
    /// accepts the 1.1 file, so a 1.0 reader loads it as a float32 index (searches exact float32, Rerank moot)
    /// and, saving it, writes a 1.0 file without the int8 sections.
    /// </summary>
    [Fact]
    public void Version10Reader_AcceptsA11File_IgnoringTheInt8Sections()
    {
        // The golden 1.1 file: this version writes 1.2, which older readers refuse (GoldenFileTests).
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", GoldenFile));
        Assert.Contains(FileCraft.Sections(bytes), s => s.Id == 8);
        Assert.Contains(FileCraft.Sections(bytes), s => s.Id == 9);
        var asVersion10 = FormatSpec.Check(bytes, asVersion10: true);
        Assert.True(asVersion10.Verdict == FormatSpec.Verdict.Valid, asVersion10.Reason);
        var asVersion11 = FormatSpec.Check(bytes);
        // Either: the spec computes codes in f64 and cannot tell a code at a rounding midpoint from its neighbour.
        Assert.True(asVersion11.Verdict != FormatSpec.Verdict.Invalid, asVersion11.Reason);
    }

    // The golden 1.1 file's answers and re-save are GoldenFileTests'.

    /// <summary>
    /// Fuzzed damage to the int8 sections and the 1.1 header fields, checksums recomputed: a changed int8 row
    /// is never the encoding of its float32 row, so Load and Verify reject it; changed parameters or header
    /// fields are accepted or rejected alike by Load, Verify and FormatSpec (IndexFormatException, nothing else); Open
    /// either refuses with IndexFormatException or searches without a crash; a file that loads saves back as it was.
    /// </summary>
    [Theory]
    [InlineData(VectorQuantization.Int8)]
    [InlineData(VectorQuantization.Float16)]
    public void Fuzz_CompactSectionsAndHeaderFields_RejectedOrConsistent(VectorQuantization quantization)
    {
        int seed = Environment.GetEnvironmentVariable("NHNSW_FUZZ_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 20_261_201;
        var random = new Random(seed);
        using var folder = new TempDirectory();
        string original = folder.File("base.nhnsw");
        using (var index = Build(DistanceMetric.Cosine, 9, 300, trainingSize: 64, seed: 8, quantization))
            index.Save(original);
        var pristine = File.ReadAllBytes(original);
        bool int8 = quantization == VectorQuantization.Int8;
        var rows = FileCraft.Find(pristine, int8 ? 8u : 10u);
        // Float16 has no parameter section: its second kind of case is another row byte.
        var parameters = int8 ? FileCraft.Find(pristine, 9) : rows;
        var query = Datasets.Gaussian(1, 9, seed: 9);
        for (int c = 0; c < 400; c++)
        {
            var bytes = (byte[])pristine.Clone();
            int kind = random.Next(3);
            long at = kind switch
            {
                0 => rows.Offset + random.NextInt64(rows.Length),
                1 => parameters.Offset + random.NextInt64(parameters.Length),
                _ => 96 + random.Next(12),
            };
            byte before = bytes[at];
            bytes[at] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(before ^ (1 << random.Next(8)));
            if (bytes[at] == before)
                continue;
            FileCraft.Reseal(bytes);
            string path = folder.File($"case{c}.nhnsw");
            File.WriteAllBytes(path, bytes);
            string where = $"case {c} (seed {seed}): byte {at} 0x{before:x2} → 0x{bytes[at]:x2}";

            Exception? load = Catch(() => HnswIndex.Load(path).Dispose());
            var spec = FormatSpec.Check(bytes);
            if (spec.Verdict != FormatSpec.Verdict.Either)
                Assert.True((spec.Verdict == FormatSpec.Verdict.Valid) == (load is null), $"{where}: spec says {spec.Reason}, Load {load?.Message ?? "accepted"}");
            Exception? verify = Catch(() => HnswIndex.Verify(path));
            Assert.True(load is null or IndexFormatException, $"{where}: Load threw {load}");
            Assert.True((load is null) == (verify is null), $"{where}: Load {load?.Message ?? "accepted"}, Verify {verify?.Message ?? "accepted"}");
            if (kind == 0 || (kind == 1 && !int8))
                Assert.True(load is IndexFormatException, $"{where}: a changed compact row was accepted");
            if (load is null)
            {
                using var loaded = HnswIndex.Load(path);
                loaded.Save(folder.File("resaved.nhnsw"));
                Assert.Equal(bytes, File.ReadAllBytes(folder.File("resaved.nhnsw")));
            }
            Exception? open = Catch(() =>
            {
                using var mapped = HnswIndex.Open(path);
                mapped.Search(query, 5, 32);
            });
            Assert.True(open is null or IndexFormatException, $"{where}: Open threw {open}");
            File.Delete(path);
        }
    }

    private static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static HnswIndex Build(DistanceMetric metric, int dims, int n, int trainingSize, int seed, VectorQuantization quantization = VectorQuantization.Int8)
    {
        var index = new HnswIndex(new HnswOptions
        {
            Dimensions = dims,
            Metric = metric,
            M = 6,
            EfConstruction = 40,
            Quantization = quantization,
            QuantizerTrainingSize = trainingSize,
        });
        index.AddRange(Datasets.RowLabels(n), Datasets.Gaussian(n, dims, seed));
        return index;
    }

    private static string[] Answers(HnswIndex index, float[] queries, int dims) => RecordedAnswers.Of(index,
        string.Create(CultureInfo.InvariantCulture, $"count {index.Count} nodes {index.NodeCount} quantized {index.IsQuantized} metric {index.Metric}"),
        queries, dims);
}

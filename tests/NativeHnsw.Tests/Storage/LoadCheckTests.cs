using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// <see cref="LoadCheck.Checksums"/>: the same index as a full load from a good file; the same refusal for any damage a
/// checksum catches; for damage made with valid checksums, searches that stay inside the index and a first change,
/// save or export that fails with the full load's own error and leaves nothing changed or written.
/// </summary>
public sealed class LoadCheckTests : IDisposable
{
    private const int Dims = DamagedFileProperties.Dims;
    private static readonly IndexSpec s_spec = DamagedFileProperties.Spec;
    private static readonly Lazy<byte[]> s_valid = new(DamagedFileProperties.BuildValid);
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2, false)]
    [InlineData(DistanceMetric.Cosine, true)]
    public void GoodFile_ChecksumsLoad_IsTheFullLoadsIndex(DistanceMetric metric, bool ascendingLabels)
    {
        var spec = s_spec with { Metric = metric, Count = 400, RandomLabels = !ascendingLabels, DeleteFraction = ascendingLabels ? 0 : 0.2, ReplaceFraction = ascendingLabels ? 0 : 0.2 };
        string path = _folder.File($"good-{metric}.nhnsw");
        using (var built = spec.Build())
            built.Save(path);
        using var full = HnswIndex.Load(path);
        using var light = HnswIndex.Load(path, LoadCheck.Checksums);
        Assert.Equal(full.Count, light.Count);
        var queries = Datasets.Gaussian(20, Dims, 3);
        for (int q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            Assert.Equal(full.Search(query, 10, 40), light.Search(query, 10, 40));
        }
        foreach (long label in spec.Labels().Take(50))
            Assert.Equal(full.Contains(label), light.Contains(label));

        // Saved before any change, it is the same file; a change after the deferred checks passed works as on any index.
        string again = _folder.File($"again-{metric}.nhnsw");
        light.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        light.Add(long.MaxValue, queries.AsSpan(0, Dims));
        Assert.True(light.Contains(long.MaxValue));
    }

    [Fact]
    public void ChecksumMismatch_IsRefusedAtLoad_WithTheFullLoadsError()
    {
        var bytes = (byte[])s_valid.Value.Clone();
        var links0 = FileCraft.Find(bytes, 2);
        bytes[links0.Offset + 5] ^= 0x10;
        string path = FileCraft.Write(_folder, "flipped.nhnsw", bytes);
        var full = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path));
        var light = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path, LoadCheck.Checksums));
        Assert.Equal(full.Message, light.Message);
        Assert.Contains("checksum mismatch", light.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphDamagedWithValidChecksums_SearchesStaySafe_FirstChangeSaveAndExportThrowTheFullLoadsError()
    {
        var bytes = (byte[])s_valid.Value.Clone();
        int m0 = 2 * BitConverter.ToInt32(bytes, 28);
        var links0 = FileCraft.Find(bytes, 2);
        int node = 7;
        Assert.True(FileCraft.ReadInt32(bytes, links0.Offset + (long)node * (1 + m0) * 4) > 0);
        FileCraft.WriteInt32(bytes, links0.Offset + ((long)node * (1 + m0) + 1) * 4, 1_000_000);
        FileCraft.Reseal(bytes);
        string path = FileCraft.Write(_folder, "links.nhnsw", bytes);
        var expected = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path));
        Assert.Contains("links to node 1000000", expected.Message, StringComparison.Ordinal);

        using var index = HnswIndex.Load(path, LoadCheck.Checksums);
        var queries = Datasets.Gaussian(10, Dims, 4);
        for (int q = 0; q < 10; q++)
            Assert.NotEmpty(index.Search(queries.AsSpan(q * Dims, Dims), 5, 30));
        int count = index.Count;
        string saved = _folder.File("never.nhnsw");
        Assert.Equal(expected.Message, Assert.Throws<IndexFormatException>(() => index.Add(-1, queries.AsSpan(0, Dims))).Message);
        Assert.Equal(expected.Message, Assert.Throws<IndexFormatException>(() => index.Add(-2, queries.AsSpan(0, Dims))).Message);
        Assert.Equal(expected.Message, Assert.Throws<IndexFormatException>(() => index.MarkDeleted(s_spec.Labels()[0])).Message);
        Assert.Equal(expected.Message, Assert.Throws<IndexFormatException>(() => index.Save(saved)).Message);
        Assert.Equal(expected.Message, Assert.Throws<IndexFormatException>(() => index.ExportHnswlib(saved)).Message);
        Assert.False(File.Exists(saved));
        Assert.Equal(count, index.Count);
    }

    [Fact]
    public void LabelIndexNamingNoNode_ValidChecksums_IsRefusedAtLoad()
    {
        var bytes = (byte[])s_valid.Value.Clone();
        var labelIndex = FileCraft.Find(bytes, 7);
        FileCraft.WriteInt32(bytes, labelIndex.Offset + 3 * 4, int.MaxValue);
        FileCraft.Reseal(bytes);
        string path = FileCraft.Write(_folder, "label-index.nhnsw", bytes);
        Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path));
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path, LoadCheck.Checksums));
        Assert.Equal("labelindex", e.Section, ignoreCase: true);
        Assert.Contains("entry 3 names node 2147483647", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLevel_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HnswIndex.Load(_folder.File("any.nhnsw"), (LoadCheck)7));

    /// <summary>
    /// The law: for any damage, resealed or not, a checksums load either refuses the file or gives an index that searches
    /// and looks up safely, and whose first change throws exactly when the full load refuses the file.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 400)]
    public Property AnyDamage_ChecksumsLoad_RefusesOrDefersExactlyWhatFullLoadRefuses()
    {
        var gen = from overwrite in Gen.Choose(1, 16)
                  from seed in Gen.Choose(0, int.MaxValue)
                  from reseal in Gen.Elements(true, true, true, false)
                  select (overwrite, seed, reseal);
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var random = new Random(input.seed);
            var bytes = (byte[])s_valid.Value.Clone();
            // Past the header, so the damage reaches the sections (a damaged header fails both loads alike).
            int from = FileCraft.HeaderSize(bytes);
            int at = random.Next(from, bytes.Length - input.overwrite);
            random.NextBytes(bytes.AsSpan(at, input.overwrite));
            if (input.reseal)
                FileCraft.Reseal(bytes);
            string path = FileCraft.Write(_folder, $"damaged-{input.seed}.nhnsw", bytes);
            try
            {
                string? fullError = null;
                try
                {
                    HnswIndex.Load(path).Dispose();
                }
                catch (IndexFormatException e)
                {
                    fullError = e.Message;
                }
                DamagedFileProperties.Exercise(path, new Random(input.seed), p => HnswIndex.Load(p, LoadCheck.Checksums));
                HnswIndex light;
                try
                {
                    light = HnswIndex.Load(path, LoadCheck.Checksums);
                }
                catch (IndexFormatException)
                {
                    return fullError is not null;
                }
                using (light)
                {
                    try
                    {
                        light.Add(long.MinValue, new float[Dims]);
                    }
                    catch (IndexFormatException e)
                    {
                        return e.Message == fullError;
                    }
                    return fullError is null;
                }
            }
            finally
            {
                File.Delete(path);
            }
        });
    }
}

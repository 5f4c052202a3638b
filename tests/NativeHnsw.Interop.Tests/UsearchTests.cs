using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests;

/// <summary>What only the USearch engines have: quantised storage, the memory-mapped view, filtered search, the wrapper.</summary>
public sealed class UsearchTests : IDisposable
{
    private const int K = 10;
    private const int Ef = 100;

    private readonly string _directory = Directory.CreateTempSubdirectory("nhnsw-usearch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    // f16 costs almost nothing on these sets; i8 (cosine only) loses a little; thresholds keep a margin over what was measured.
    [InlineData(UsearchScalar.Float16, DistanceMetric.L2, 0.97)]
    [InlineData(UsearchScalar.Float16, DistanceMetric.Cosine, 0.97)]
    [InlineData(UsearchScalar.Int8, DistanceMetric.Cosine, 0.90)]
    public void Quantised_Recall_ReachesThreshold(UsearchScalar scalar, DistanceMetric metric, double threshold)
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(metric), scalar);
        engine.AddBatch(TestData.Labels, TestData.Base);
        Assert.Equal(scalar, engine.Scalar);
        Assert.Equal(UsearchEngine.NameOf(scalar), engine.Name);
        double recall = TestData.RecallOf(engine, TestData.Queries, TestData.Truth(metric), K, Ef);
        TestContext.Current.TestOutputHelper?.WriteLine($"{engine.Name} {metric}: recall@{K} = {recall:F4}");
        Assert.True(recall >= threshold, $"{engine.Name} {metric}: recall@{K} = {recall:F4} < {threshold}");
    }

    [Fact]
    public void Quantised_FilesHoldSmallerVectors()
    {
        NativeRequirement.Usearch();
        var options = TestData.Options(DistanceMetric.Cosine);
        long FileBytes(UsearchScalar scalar)
        {
            using var engine = UsearchEngine.Create(options, scalar);
            engine.AddBatch(TestData.Labels, TestData.Base);
            string path = Path.Combine(_directory, $"{scalar}.usearch");
            engine.Save(path);
            using var loaded = UsearchEngine.Load(path, options);
            Assert.Equal(scalar, loaded.Scalar);
            return new FileInfo(path).Length;
        }
        long f32 = FileBytes(UsearchScalar.Float32), f16 = FileBytes(UsearchScalar.Float16), i8 = FileBytes(UsearchScalar.Int8);
        long vectorBytes = (long)TestData.Count * TestData.Dimensions;
        // Each step shrinks the vector payload (4 → 2 → 1 bytes per component); the links stay, give or take the
        // few that quantised distances change.
        Assert.InRange(f32 - f16, 2 * vectorBytes * 99 / 100, 2 * vectorBytes * 101 / 100);
        Assert.InRange(f16 - i8, vectorBytes * 99 / 100, vectorBytes * 101 / 100);
    }

    [Fact]
    public void Int8_WithL2_IsRejected()
    {
        NativeRequirement.Usearch();
        var e = Assert.Throws<ArgumentException>(() => UsearchEngine.Create(TestData.Options(DistanceMetric.L2), UsearchScalar.Int8));
        Assert.Contains("cosine", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void View_AnswersAsTheOriginal_AndIsReadOnly(DistanceMetric metric)
    {
        NativeRequirement.Usearch();
        var options = TestData.Options(metric);
        string path = Path.Combine(_directory, $"view-{metric}.usearch");
        using var original = UsearchEngine.Create(options);
        original.AddBatch(TestData.Labels, TestData.Base);
        original.Save(path);

        using var view = UsearchEngine.View(path, options);
        Assert.True(view.IsView);
        Assert.Equal(original.Count, view.Count);
        for (int q = 0; q < 50; q++)
        {
            var query = TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions);
            Assert.Equal(original.Search(query, K, 80), view.Search(query, K, 80));
        }
        var e = Assert.Throws<InvalidOperationException>(() => view.AddBatch(new long[] { 5_000 }, TestData.Queries.AsMemory(0, TestData.Dimensions)));
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        // The view maps the file instead of copying it in: it holds far less than the loaded index.
        using var loaded = UsearchEngine.Load(path, options);
        Assert.True(view.MemoryBytes < loaded.MemoryBytes, $"view {view.MemoryBytes} B, loaded {loaded.MemoryBytes} B");
    }

    [Fact]
    public void Load_OtherMetric_ThrowsNamingIt()
    {
        NativeRequirement.Usearch();
        string path = Path.Combine(_directory, "l2.usearch");
        using (var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2)))
        {
            engine.AddBatch(TestData.Labels.AsMemory(0, 100), TestData.Base.AsMemory(0, 100 * TestData.Dimensions));
            engine.Save(path);
        }
        var e = Assert.Throws<ArgumentException>(() => UsearchEngine.Load(path, TestData.Options(DistanceMetric.Cosine)));
        Assert.Contains("Cosine", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DamagedFile_ThrowsUsearchExceptionWithTheNativeMessage()
    {
        NativeRequirement.Usearch();
        var options = TestData.Options(DistanceMetric.L2);
        string path = Path.Combine(_directory, "damaged.usearch");
        using (var engine = UsearchEngine.Create(options))
        {
            engine.AddBatch(TestData.Labels, TestData.Base);
            engine.Save(path);
        }
        // Cut the file in half.
        using (var stream = new FileStream(path, FileMode.Open))
            stream.SetLength(stream.Length / 2);
        var e = Assert.Throws<UsearchException>(() => UsearchEngine.Load(path, options).Dispose());
        // Depending on where the cut falls, the header check or the load itself reports it.
        Assert.Contains(e.Function, new[] { nameof(Native.UsearchNative.usearch_metadata), nameof(Native.UsearchNative.usearch_load) });
        Assert.False(string.IsNullOrWhiteSpace(e.NativeMessage));
        Assert.Contains(e.NativeMessage, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        NativeRequirement.Usearch();
        string path = Path.Combine(_directory, "missing.usearch");
        var e = Assert.Throws<FileNotFoundException>(() => UsearchEngine.Load(path, TestData.Options(DistanceMetric.L2)));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateLabel_ThrowsUsearchException()
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(new long[] { 7 }, TestData.Base.AsMemory(0, TestData.Dimensions));
        var e = Assert.Throws<UsearchException>(() => engine.AddBatch(new long[] { 7 }, TestData.Base.AsMemory(TestData.Dimensions, TestData.Dimensions), 1));
        Assert.Equal(nameof(Native.UsearchNative.usearch_add), e.Function);
    }

    [Fact]
    public void ReservedLabel_IsRejected()
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2));
        Assert.Throws<ArgumentException>(() => engine.AddBatch(new long[] { UsearchEngine.ReservedLabel }, TestData.Base.AsMemory(0, TestData.Dimensions)));
        Assert.Equal(0, engine.Count);
    }

    [Fact]
    public void FilteredSearch_ReturnsOnlyAllowedLabels_AtBruteForceRecall()
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(TestData.Labels, TestData.Base);
        // Only even labels: the exact answer is brute force over the even rows.
        var evenRows = Enumerable.Range(0, TestData.Count).Where(i => i % 2 == 0).ToArray();
        var evenBase = evenRows.SelectMany(i => Datasets.Row(TestData.Base, TestData.Dimensions, i).ToArray()).ToArray();
        var truth = BruteForce.KNearest(evenBase, TestData.Queries, TestData.Dimensions, K, DistanceMetric.L2)
            .Select(row => row.Select(i => evenRows[i]).ToArray()).ToArray();
        var found = new IReadOnlyList<long>[TestData.QueryCount];
        var results = new SearchResult[K];
        for (int q = 0; q < TestData.QueryCount; q++)
        {
            int n = engine.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), results, label => label % 2 == 0, Ef);
            Assert.Equal(K, n);
            Assert.All(results, r => Assert.Equal(0, r.Label % 2));
            found[q] = results.Select(r => r.Label).ToArray();
        }
        double recall = Recall.AtK(found, truth, K);
        Assert.True(recall >= 0.95, $"filtered recall@{K} = {recall:F4}");
    }

    [Fact]
    public void FilteredSearch_FilterThrows_ExceptionSurfacesAndEngineStillWorks()
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(TestData.Labels.AsMemory(0, 500), TestData.Base.AsMemory(0, 500 * TestData.Dimensions));
        var query = TestData.Queries.AsSpan(0, TestData.Dimensions).ToArray();
        var results = new SearchResult[K];
        var e = Assert.Throws<InvalidOperationException>(() => engine.Search(query, results, _ => throw new InvalidOperationException("filter failed"), Ef));
        Assert.Equal("filter failed", e.Message);
        Assert.Equal(K, engine.Search(query, results, Ef));
    }

    [Fact]
    public void ParallelBuild_EqualsTheVectorsAdded_AndGrowsPastInitialCapacity()
    {
        NativeRequirement.Usearch();
        using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2) with { InitialCapacity = 10 });
        engine.AddBatch(TestData.Labels, TestData.Base, maxDegreeOfParallelism: 4);
        Assert.Equal(TestData.Count, engine.Count);
        double recall = TestData.RecallOf(engine, TestData.Queries, TestData.Truth(DistanceMetric.L2), K, Ef);
        Assert.True(recall >= 0.98, $"recall@{K} = {recall:F4}");
        Assert.False(string.IsNullOrEmpty(engine.HardwareAcceleration));
    }

    [Fact]
    public void Wrapper_Recall_AtItsFixedEf_MatchesTheCApi()
    {
        NativeRequirement.Usearch();
        var options = TestData.Options(DistanceMetric.Cosine) with { DefaultEf = Ef };
        using var wrapper = UsearchWrapperEngine.Create(options);
        wrapper.AddBatch(TestData.Labels, TestData.Base);
        Assert.Equal(TestData.Count, wrapper.Count);
        Assert.Equal(Ef, wrapper.FixedEf);
        double recall = TestData.RecallOf(wrapper, TestData.Queries, TestData.Truth(DistanceMetric.Cosine), K, Ef);
        Assert.True(recall >= 0.98, $"wrapper recall@{K} = {recall:F4}");

        string path = Path.Combine(_directory, "wrapper.usearch");
        wrapper.Save(path);
        using var viaCApi = UsearchEngine.Load(path, options);
        for (int q = 0; q < 50; q++)
        {
            var query = TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions);
            Assert.Equal(wrapper.Search(query, K, Ef), viaCApi.Search(query, K, Ef));
        }
    }

    [Fact]
    public void Wrapper_OtherEf_IsRefused()
    {
        NativeRequirement.Usearch();
        using var wrapper = UsearchWrapperEngine.Create(TestData.Options(DistanceMetric.L2));
        wrapper.AddBatch(TestData.Labels.AsMemory(0, 100), TestData.Base.AsMemory(0, 100 * TestData.Dimensions));
        var query = TestData.Queries.AsSpan(0, TestData.Dimensions).ToArray();
        Assert.Equal(K, wrapper.Search(query, K).Length);
        var e = Assert.Throws<NotSupportedException>(() => wrapper.Search(query, K, wrapper.FixedEf + 1));
        Assert.Contains("expansion", e.Message, StringComparison.Ordinal);
    }
}

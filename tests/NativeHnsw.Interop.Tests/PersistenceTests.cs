namespace NativeHnsw.Interop.Tests;

/// <summary>Write/read round trips through our handles give back an index that answers exactly as the original.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nhnsw-interop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(HnswIndexEngine.EngineName, DistanceMetric.L2)]
    [InlineData(HnswIndexEngine.EngineName, DistanceMetric.Cosine)]
    [InlineData(FaissEngine.EngineName, DistanceMetric.L2)]
    [InlineData(FaissEngine.EngineName, DistanceMetric.Cosine)]
    [InlineData(HnswlibEngine.EngineName, DistanceMetric.L2)]
    [InlineData(HnswlibEngine.EngineName, DistanceMetric.Cosine)]
    [InlineData(UsearchEngine.EngineName, DistanceMetric.L2)]
    [InlineData(UsearchEngine.EngineName, DistanceMetric.Cosine)]
    public void SaveLoad_RoundTrip_SameCountAndSameHits(string engineName, DistanceMetric metric)
    {
        var factory = NativeRequirement.Engine(engineName);
        var options = TestData.Options(metric);
        string path = Path.Combine(_directory, $"{engineName}-{metric}.index");

        using var original = factory.Create(options);
        Assert.True(original.SupportsPersistence);
        original.AddBatch(TestData.Labels, TestData.Base);
        original.Save(path);
        Assert.True(new FileInfo(path).Length > (long)TestData.Count * TestData.Dimensions * sizeof(float));

        using var loaded = factory.Load(path, options);
        Assert.Equal(original.Count, loaded.Count);
        for (int q = 0; q < 50; q++)
        {
            var query = TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions);
            Assert.Equal(original.Search(query, 10, 80), loaded.Search(query, 10, 80));
        }

        // A loaded index keeps growing like a fresh one.
        loaded.AddBatch(new long[] { 1_000_000 }, TestData.Queries.AsMemory(0, TestData.Dimensions));
        Assert.Equal(original.Count + 1, loaded.Count);
        Assert.Equal(1_000_000, loaded.Search(TestData.Queries.AsSpan(0, TestData.Dimensions), 1, 50)[0].Label);
    }

    [Fact]
    public void NativeHnsw_OpenMapped_AnswersAsOriginal()
    {
        var options = TestData.Options(DistanceMetric.Cosine);
        string path = Path.Combine(_directory, "mapped.nhnsw");
        using var original = VectorEngineFactory.NativeHnsw.Create(options);
        original.AddBatch(TestData.Labels, TestData.Base);
        original.Save(path);
        using var mapped = HnswIndexEngine.Open(path, options);
        Assert.True(mapped.Index.IsReadOnly);
        for (int q = 0; q < 50; q++)
        {
            var query = TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions);
            Assert.Equal(original.Search(query, 10, 80), mapped.Search(query, 10, 80));
        }
    }

    [Fact]
    public void NativeHnsw_LoadWithOtherOptions_ThrowsNamingBoth()
    {
        string path = Path.Combine(_directory, "l2.nhnsw");
        using (var engine = VectorEngineFactory.NativeHnsw.Create(TestData.Options(DistanceMetric.L2)))
        {
            engine.AddBatch(TestData.Labels, TestData.Base);
            engine.Save(path);
        }
        var ex = Assert.Throws<ArgumentException>(() => VectorEngineFactory.NativeHnsw.Load(path, TestData.Options(DistanceMetric.Cosine)));
        Assert.Contains("L2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Cosine", ex.Message, StringComparison.Ordinal);
    }
}

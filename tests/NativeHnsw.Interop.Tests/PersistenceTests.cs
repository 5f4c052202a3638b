namespace NativeHnsw.Interop.Tests;

/// <summary>Write/read round trips through our handles give back an index that answers exactly as the original.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nhnsw-interop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(FaissEngine.EngineName, DistanceMetric.L2)]
    [InlineData(FaissEngine.EngineName, DistanceMetric.Cosine)]
    [InlineData(HnswlibEngine.EngineName, DistanceMetric.L2)]
    [InlineData(HnswlibEngine.EngineName, DistanceMetric.Cosine)]
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
    public void NativeHnsw_WithoutPersistence_SaysSo()
    {
        using var engine = VectorEngineFactory.NativeHnsw.Create(TestData.Options(DistanceMetric.L2));
        Assert.False(engine.SupportsPersistence);
        Assert.False(VectorEngineFactory.NativeHnsw.SupportsPersistence);
        Assert.Throws<NotSupportedException>(() => engine.Save(Path.Combine(_directory, "x")));
        Assert.Throws<NotSupportedException>(() => VectorEngineFactory.NativeHnsw.Load(Path.Combine(_directory, "x"), TestData.Options(DistanceMetric.L2)));
    }
}

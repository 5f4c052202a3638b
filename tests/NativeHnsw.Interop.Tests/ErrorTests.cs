using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop.Tests;

/// <summary>Invalid calls become clear exceptions carrying the native message, never a crash.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nhnsw-interop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(HnswIndexEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    [InlineData(UsearchWrapperEngine.EngineName)]
    public void WrongDimension_AddOrSearch_ThrowsArgumentException(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        using var engine = factory.Create(TestData.Options(DistanceMetric.L2));
        Assert.Throws<ArgumentException>(() => engine.AddBatch(new long[] { 1, 2 }, new float[2 * TestData.Dimensions - 1]));
        engine.AddBatch(new long[] { 1 }, TestData.Base.AsMemory(0, TestData.Dimensions));
        Assert.Throws<ArgumentException>(() => engine.Search(new float[TestData.Dimensions + 1], 1));
    }

    [Theory]
    [InlineData(FaissEngine.EngineName, typeof(FaissException))]
    [InlineData(HnswlibEngine.EngineName, typeof(HnswlibException))]
    public void Load_MissingFile_ThrowsWithTheNativeMessage(string engineName, Type exceptionType)
    {
        var factory = NativeRequirement.Engine(engineName);
        string path = Path.Combine(_directory, "does-not-exist.index");
        var e = Assert.Throws(exceptionType, () => factory.Load(path, TestData.Options(DistanceMetric.L2)));
        var native = Assert.IsAssignableFrom<NativeEngineException>(e);
        Assert.NotEqual(0, native.StatusCode);
        Assert.Contains(path, native.NativeMessage, StringComparison.Ordinal);
        Assert.Contains(native.NativeMessage, native.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    [InlineData(UsearchWrapperEngine.EngineName)]
    public void Load_WrongDimension_Throws(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        string path = Path.Combine(_directory, "dim64.index");
        using (var engine = factory.Create(TestData.Options(DistanceMetric.L2)))
        {
            engine.AddBatch(TestData.Labels.AsMemory(0, 100), TestData.Base.AsMemory(0, 100 * TestData.Dimensions));
            engine.Save(path);
        }
        var wrong = TestData.Options(DistanceMetric.L2) with { Dimensions = 32 };
        var e = Record.Exception(() => factory.Load(path, wrong).Dispose());
        Assert.True(e is ArgumentException or NativeEngineException, $"unexpected {e?.GetType()}");
        Assert.Contains("64", e!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Faiss_FactoryRejectsDescription_ThrowsFaissExceptionWithFaissMessage()
    {
        NativeRequirement.Faiss();
        var e = Assert.Throws<FaissException>(() => FaissIndexHandle.Create(8, "NoSuchIndex", FaissNative.MetricL2));
        Assert.Equal(FaissNative.FaissExcept, e.StatusCode);
        Assert.Equal(nameof(FaissNative.faiss_index_factory), e.Function);
        Assert.Contains("could not parse index string NoSuchIndex", e.NativeMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Hnswlib_UnknownSpace_ThrowsInvalidArgumentStatus()
    {
        NativeRequirement.Hnswlib();
        var e = Assert.Throws<HnswlibException>(() => HnswlibIndexHandle.Create(space: 7, 8, 16, 100, 1, 10));
        Assert.Equal(HnswlibNative.InvalidArgument, e.StatusCode);
        Assert.Contains("space", e.NativeMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    public void Cosine_ZeroVector_ThrowsArgumentException(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        using var engine = factory.Create(TestData.Options(DistanceMetric.Cosine));
        Assert.Throws<ArgumentException>(() => engine.AddBatch(new long[] { 1 }, new float[TestData.Dimensions]));
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    [InlineData(UsearchWrapperEngine.EngineName)]
    public void UseAfterDispose_ThrowsObjectDisposedException(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        var engine = factory.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(new long[] { 1 }, TestData.Base.AsMemory(0, TestData.Dimensions));
        engine.Dispose();
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Search(TestData.Base.AsSpan(0, TestData.Dimensions), 1));
        Assert.Throws<ObjectDisposedException>(() => engine.Count);
    }
}

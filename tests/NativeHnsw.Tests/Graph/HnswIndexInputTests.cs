namespace NativeHnsw.Tests.Graph;

/// <summary>Bad input gets an exception that names the problem, and leaves the index as it was.</summary>
public sealed class HnswIndexInputTests
{
    private static HnswIndex NewIndex(DistanceMetric metric = DistanceMetric.Cosine) =>
        new(new HnswOptions { Dimensions = 4, Metric = metric });

    [Fact]
    public void Add_WrongDimension_ThrowsNamingBoth()
    {
        using var index = NewIndex();
        var ex = Assert.Throws<ArgumentException>(() => index.Add(1, [1f, 2f, 3f]));
        Assert.Contains("4 dimensions, got 3", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Add_NonFinite_ThrowsNamingComponent(float bad)
    {
        using var index = NewIndex(DistanceMetric.L2);
        var ex = Assert.Throws<ArgumentException>(() => index.Add(1, [1f, 2f, bad, 4f]));
        Assert.Contains("component 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Add_ZeroVectorUnderCosine_Throws()
    {
        using var index = NewIndex();
        var ex = Assert.Throws<ArgumentException>(() => index.Add(1, new float[4]));
        Assert.Contains("all zeros", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ZeroVectorUnderL2_IsAccepted()
    {
        using var index = NewIndex(DistanceMetric.L2);
        index.Add(1, new float[4]);
        Assert.True(index.Contains(1));
    }

    [Fact]
    public void AddRange_BadRow_ThrowsNamingRowAndInsertsNothing()
    {
        using var index = NewIndex();
        float[] vectors = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, float.NaN, 0];
        var ex = Assert.Throws<ArgumentException>(() => index.AddRange(new long[] { 10, 11, 12 }, vectors));
        Assert.Contains("Row 2 (label 12)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.NodeCount);
    }

    [Fact]
    public void AddRange_DuplicateLabel_ThrowsAndInsertsNothing()
    {
        using var index = NewIndex();
        float[] vectors = [1, 0, 0, 0, 0, 1, 0, 0];
        var ex = Assert.Throws<ArgumentException>(() => index.AddRange(new long[] { 7, 7 }, vectors));
        Assert.Contains("Label 7 appears more than once", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.NodeCount);
    }

    [Fact]
    public void AddRange_SizeMismatch_Throws()
    {
        using var index = NewIndex();
        Assert.Throws<ArgumentException>(() => index.AddRange(new long[] { 1, 2 }, new float[7]));
    }

    [Fact]
    public void Search_BadArguments_Throw()
    {
        using var index = NewIndex();
        index.Add(1, [1f, 0f, 0f, 0f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1f, 0f, 0f, 0f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1f, 0f, 0f, 0f], -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1f, 0f, 0f, 0f], 1, ef: -1));
        Assert.Throws<ArgumentException>(() => index.Search([1f, 0f, 0f], 1));
        Assert.Throws<ArgumentException>(() => index.Search([1f, float.NaN, 0f, 0f], 1));
        Assert.Throws<ArgumentException>(() => index.Search(new float[4], 1));
        Assert.Throws<ArgumentException>(() => index.Search([1f, 0f, 0f, 0f], Span<SearchResult>.Empty));
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsNothing()
    {
        using var index = NewIndex();
        Assert.Empty(index.Search([1f, 0f, 0f, 0f], 5));
    }

    [Fact]
    public void UnknownLabel_ThrowsLabelNotFound()
    {
        using var index = NewIndex();
        index.Add(1, [1f, 0f, 0f, 0f]);
        var ex = Assert.Throws<LabelNotFoundException>(() => index.MarkDeleted(99));
        Assert.Equal(99, ex.Label);
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
        Assert.Throws<LabelNotFoundException>(() => index.Unmark(99));
        Assert.Throws<LabelNotFoundException>(() => index.GetVector(99));
        Assert.False(index.Contains(99));
    }

    [Fact]
    public void Disposed_EveryOperation_ThrowsObjectDisposed()
    {
        var index = NewIndex();
        index.Add(1, [1f, 0f, 0f, 0f]);
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Add(2, [0f, 1f, 0f, 0f]));
        Assert.Throws<ObjectDisposedException>(() => index.Search([1f, 0f, 0f, 0f], 1));
        Assert.Throws<ObjectDisposedException>(() => index.MarkDeleted(1));
        Assert.Throws<ObjectDisposedException>(() => index.GetVector(1));
        Assert.Throws<ObjectDisposedException>(() => index.Contains(1));
    }

    [Theory]
    [InlineData(0, 16, 200)]
    [InlineData(70_000, 16, 200)]
    [InlineData(8, 1, 200)]
    [InlineData(8, 1000, 200)]
    [InlineData(8, 16, 0)]
    public void Options_OutOfRange_Throw(int dims, int m, int efConstruction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new HnswIndex(new HnswOptions { Dimensions = dims, M = m, EfConstruction = efConstruction }));
    }
}

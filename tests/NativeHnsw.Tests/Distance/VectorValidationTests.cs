using NativeHnsw.Distance;

namespace NativeHnsw.Tests.Distance;

public sealed class VectorValidationTests
{
    public static TheoryData<float[], DistanceMetric> BadVectors() => new()
    {
        { [1f, 2f, 3f], DistanceMetric.L2 },
        { [1f, 2f, float.NaN, 4f], DistanceMetric.L2 },
        { [float.PositiveInfinity, 2f, 3f, 4f], DistanceMetric.InnerProduct },
        { [1f, 2f, 3f, float.NegativeInfinity], DistanceMetric.Cosine },
        { [0f, -0f, 0f, 0f], DistanceMetric.Cosine },
    };

    /// <summary>The helper throws exactly what the index throws for the same vector, for inserts and queries.</summary>
    [Theory]
    [MemberData(nameof(BadVectors))]
    public void Validate_BadVector_ThrowsWhatTheIndexThrows(float[] vector, DistanceMetric metric)
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = 4, Metric = metric });
        index.Add(1, [1f, 0f, 0f, 0f]);

        var fromAdd = Assert.Throws<ArgumentException>(() => index.Add(2, vector));
        var fromHelper = Assert.Throws<ArgumentException>(() => VectorValidation.Validate(vector, 4, metric, "vector"));
        Assert.Equal(fromAdd.Message, fromHelper.Message);
        Assert.Equal(fromAdd.ParamName, fromHelper.ParamName);

        var fromSearch = Assert.Throws<ArgumentException>(() => index.Search(vector, 1));
        var fromQueryHelper = Assert.Throws<ArgumentException>(() => VectorValidation.Validate(vector, 4, metric, "query", "Query"));
        Assert.Equal(fromSearch.Message, fromQueryHelper.Message);
        Assert.Equal(fromSearch.ParamName, fromQueryHelper.ParamName);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.Cosine)]
    public void Validate_GoodVector_DoesNotThrow(DistanceMetric metric) =>
        VectorValidation.Validate([1e-40f, -3e38f, 0f], 3, metric, "vector");

    [Fact]
    public void FindProblem_EachProblem_ReportedWithItsComponent()
    {
        Assert.Equal(VectorProblem.None, VectorValidation.FindProblem([0f, 0f], 2, DistanceMetric.L2, out int component));
        Assert.Equal(-1, component);
        Assert.Equal(VectorProblem.WrongDimensions, VectorValidation.FindProblem([float.NaN], 2, DistanceMetric.L2, out component));
        Assert.Equal(-1, component);
        Assert.Equal(VectorProblem.NotFinite, VectorValidation.FindProblem([0f, 1f, 2f, float.NaN, float.PositiveInfinity], 5, DistanceMetric.Cosine, out component));
        Assert.Equal(3, component);
        Assert.Equal(VectorProblem.ZeroUnderCosine, VectorValidation.FindProblem(new float[7], 7, DistanceMetric.Cosine, out component));
        Assert.Equal(-1, component);
    }

    [Fact]
    public void FindProblem_NonFiniteAtEveryPosition_FindsThatPosition()
    {
        for (int length = 1; length <= 70; length++)
        {
            for (int bad = 0; bad < length; bad++)
            {
                var vector = Enumerable.Range(1, length).Select(i => (float)i).ToArray();
                vector[bad] = float.NaN;
                Assert.Equal(VectorProblem.NotFinite, VectorValidation.FindProblem(vector, length, DistanceMetric.L2, out int component));
                Assert.Equal(bad, component);
            }
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(1e-30f)]
    [InlineData(1e25f)]
    [InlineData(1e38f)]
    public void Prepare_Cosine_GivesUnitVectorOfTheSameDirection(float scale)
    {
        var random = new Random(3);
        var vector = Enumerable.Range(0, 53).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        var unit = new float[vector.Length];
        VectorValidation.Prepare(vector, DistanceMetric.Cosine, unit);
        for (int i = 0; i < vector.Length; i++)
            Assert.True(Math.Abs(unit[i] - vector[i] / norm) <= 1e-6, $"component {i}: expected {vector[i] / norm:R}, got {unit[i]:R}");

        VectorValidation.Prepare(vector, DistanceMetric.Cosine, vector);
        Assert.Equal(unit, vector);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void Prepare_OtherMetrics_CopiesUnchanged(DistanceMetric metric)
    {
        float[] vector = [3f, -4f, 1e30f, 0f];
        var copy = new float[4];
        VectorValidation.Prepare(vector, metric, copy);
        Assert.Equal(vector, copy);
    }

    [Fact]
    public void Prepare_ZeroUnderCosine_Throws() =>
        Assert.Equal("vector", Assert.Throws<ArgumentException>(() => VectorValidation.Prepare(new float[3], DistanceMetric.Cosine, new float[3])).ParamName);

    [Fact]
    public void Prepare_LengthMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => VectorValidation.Prepare(new float[3], DistanceMetric.L2, new float[4]));
}

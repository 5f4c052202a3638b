using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Distance;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// <see cref="VectorDistance"/> against the double-precision reference of <see cref="BruteForce.Distance"/>.
/// The fallback tests run this class again with AVX-512, AVX2 and all hardware intrinsics switched off.
/// </summary>
public sealed class VectorDistanceTests
{
    private static readonly DistanceMetric[] s_metrics = [DistanceMetric.L2, DistanceMetric.InnerProduct, DistanceMetric.Cosine];

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Compute_RandomVectors_MatchesDoubleReference()
    {
        var gen = from length in Gen.Choose(1, 600)
                  from rows in Gen.Choose(0, 9)
                  from scale in Gen.Elements(1e-3f, 1f, 1e3f)
                  from metric in Gen.Elements(s_metrics)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (length, rows, scale, metric, seed);
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var random = new Random(input.seed);
            var query = Random(random, input.length, input.scale);
            var vectors = Random(random, input.length * input.rows, input.scale);
            var distances = new float[input.rows];
            VectorDistance.Compute(input.metric, query, vectors, distances);
            for (int r = 0; r < input.rows; r++)
            {
                var row = vectors.AsSpan(r * input.length, input.length);
                float single = VectorDistance.Compute(input.metric, query, row);
                if (!IsClose(input.metric, query, row, distances[r]) || !IsClose(input.metric, query, row, single))
                    return false;
            }
            return true;
        });
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(5, 7)]
    [InlineData(9, 16)]
    [InlineData(4, 33)]
    [InlineData(6, 768)]
    [InlineData(5, 1537)]
    public void ComputeMany_RowsEndingAtGuardPage_MatchRowByRowReference(int rows, int dims)
    {
        using var query = new GuardedBuffer(dims);
        using var vectors = new GuardedBuffer(rows * dims);
        var random = new Random(rows * 10_000 + dims);
        Fill(random, query.Span);
        Fill(random, vectors.Span);
        var distances = new float[rows];
        foreach (var metric in s_metrics)
        {
            VectorDistance.Compute(metric, query.Span, vectors.Span, distances);
            for (int r = 0; r < rows; r++)
            {
                var row = vectors.Span.Slice(r * dims, dims);
                AssertClose(metric, query.Span, row, distances[r], $"{metric}, row {r} of {rows}, {dims} dims");
            }
        }
    }

    /// <summary>Cosine ignores scale, even where float sums of squares would underflow or overflow.</summary>
    [Theory]
    [InlineData(1e-30f)]
    [InlineData(1e-12f)]
    [InlineData(1e25f)]
    [InlineData(1e38f)]
    public void Cosine_ExtremeMagnitudes_MatchesUnscaledReference(float scale)
    {
        var random = new Random(7);
        const int Dims = 37;
        var query = Random(random, Dims, 1f);
        var vectors = Random(random, Dims * 5, 1f);
        var scaledQuery = query.Select(v => v * scale).ToArray();
        var scaledVectors = vectors.Select(v => v * scale).ToArray();
        var distances = new float[5];
        VectorDistance.Compute(DistanceMetric.Cosine, scaledQuery, vectors, distances);
        var mixed = new float[5];
        VectorDistance.Compute(DistanceMetric.Cosine, query, scaledVectors, mixed);
        for (int r = 0; r < 5; r++)
        {
            var row = vectors.AsSpan(r * Dims, Dims);
            AssertClose(DistanceMetric.Cosine, query, row, distances[r], $"scaled query, row {r}");
            AssertClose(DistanceMetric.Cosine, query, row, mixed[r], $"scaled rows, row {r}");
            AssertClose(DistanceMetric.Cosine, query, row, VectorDistance.Compute(DistanceMetric.Cosine, scaledQuery, scaledVectors.AsSpan(r * Dims, Dims)), $"both scaled, row {r}");
        }
    }

    [Fact]
    public void Cosine_SameAndOppositeVectors_StayWithinZeroToTwo()
    {
        var random = new Random(11);
        var x = Random(random, 1000, 1f);
        var minus = x.Select(v => -v).ToArray();
        float same = VectorDistance.Compute(DistanceMetric.Cosine, x, x);
        float opposite = VectorDistance.Compute(DistanceMetric.Cosine, x, minus);
        Assert.InRange(same, 0f, 1e-6f);
        Assert.InRange(opposite, 2f - 1e-6f, 2f);
    }

    [Fact]
    public void Cosine_ZeroVector_ThrowsNamingTheVector()
    {
        float[] zero = new float[6], one = [1, 2, 3, 4, 5, 6];
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.Cosine, zero, one)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.Cosine, one, zero)).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.Cosine, zero, one, new float[1])).ParamName);
        float[] rows = [.. one, .. one, .. zero, .. one, .. one];
        var ex = Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.Cosine, one, rows, new float[5]));
        Assert.Equal("vectors", ex.ParamName);
        Assert.Contains("Row 2 of vectors is all zeros", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroVector_UnderL2AndInnerProduct_HasADistance()
    {
        float[] zero = new float[3], x = [1, 2, 2];
        Assert.Equal(9f, VectorDistance.Compute(DistanceMetric.L2, zero, x));
        Assert.Equal(1f, VectorDistance.Compute(DistanceMetric.InnerProduct, zero, x));
    }

    [Fact]
    public void ComputeMany_WrongVectorsLength_ThrowsWithCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.L2, new float[4], new float[11], new float[3]));
        Assert.Equal("vectors", ex.ParamName);
        Assert.Contains("holds 11 floats", ex.Message, StringComparison.Ordinal);
        Assert.Contains("need 12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeMany_NoRows_WritesNothing() =>
        VectorDistance.Compute(DistanceMetric.Cosine, [1f, 2f], ReadOnlySpan<float>.Empty, Span<float>.Empty);

    [Fact]
    public void Compute_LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorDistance.Compute(DistanceMetric.L2, new float[3], new float[4]));
        Assert.Contains("3 and 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_UndefinedMetric_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorDistance.Compute((DistanceMetric)7, new float[2], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorDistance.Compute((DistanceMetric)7, new float[2], new float[4], new float[2]));
    }

    private static float[] Random(Random random, int length, float scale)
    {
        var values = new float[length];
        Fill(random, values, scale);
        return values;
    }

    private static void Fill(Random random, Span<float> values, float scale = 1f)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
    }

    // The float error grows with the number of terms and with the sum of term magnitudes (the
    // result can cancel to near zero); cosine divides by the norms, and its 1 − cos adds an ulp of 1.
    private static bool IsClose(DistanceMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float actual)
    {
        double expected = BruteForce.Distance(x, y, metric);
        double magnitude = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.Length; i++)
        {
            magnitude += Math.Abs((double)x[i] * y[i]);
            nx += (double)x[i] * x[i];
            ny += (double)y[i] * y[i];
        }
        magnitude = metric switch
        {
            DistanceMetric.L2 => expected,
            DistanceMetric.InnerProduct => magnitude + 1,
            _ => (magnitude / Math.Sqrt(nx * ny)) + 1,
        };
        return Math.Abs(expected - actual) <= 8e-7 * Math.Sqrt(x.Length) * magnitude + 1e-30;
    }

    private static void AssertClose(DistanceMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float actual, string what) =>
        Assert.True(IsClose(metric, x, y, actual), $"{what}: expected {BruteForce.Distance(x, y, metric):R}, got {actual:R}");
}

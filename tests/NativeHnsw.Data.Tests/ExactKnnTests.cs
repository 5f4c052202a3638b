namespace NativeHnsw.Data.Tests;

/// <summary>The float32 SIMD ground truth against a double-precision sort of every distance.</summary>
public sealed class ExactKnnTests
{
    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void Search_MatchesDoublePrecisionReference(DistanceMetric metric)
    {
        const int Dims = 24, Seed = 5, K = 10;
        var data = SyntheticVectors.Gaussian(700, Dims, Seed);
        var queries = SyntheticVectors.Gaussian(37, Dims, Seed + 1);
        var actual = ExactKnn.Search(new VectorSet(data, Dims), new VectorSet(queries, Dims), K, metric);
        int agreed = 0;
        for (int q = 0; q < queries.Length / Dims; q++)
        {
            var query = SyntheticVectors.Row(queries, Dims, q);
            int[] expected = Reference(data, query, Dims, K, metric, _ => true);
            int common = expected.Intersect(actual[q]).Count();
            // float32 against float64: a neighbour may swap at a near-tie, never more than one per query.
            Assert.True(common >= K - 1, $"metric {metric}, seed {Seed}, query {q}: {common} of {K} in common");
            agreed += common;
        }
        Assert.True(agreed >= 37 * K - 2, $"metric {metric}: {agreed} of {37 * K} neighbours agree");
    }

    [Fact]
    public void Search_Include_LeavesRowsOutAndStillFindsTheNearestOfTheRest()
    {
        const int Dims = 8, K = 5;
        var data = SyntheticVectors.Gaussian(400, Dims, 11);
        var queries = SyntheticVectors.Gaussian(10, Dims, 12);
        var actual = ExactKnn.Search(new VectorSet(data, Dims), new VectorSet(queries, Dims), K, DistanceMetric.L2, include: row => row % 3 == 0);
        for (int q = 0; q < 10; q++)
        {
            Assert.All(actual[q], row => Assert.Equal(0, row % 3));
            Assert.Equal(Reference(data, SyntheticVectors.Row(queries, Dims, q), Dims, K, DistanceMetric.L2, row => row % 3 == 0), actual[q]);
        }
        // Fewer rows left than k: all of them.
        var few = ExactKnn.Search(new VectorSet(data, Dims), new VectorSet(queries, Dims), K, DistanceMetric.L2, include: row => row < 3);
        Assert.All(few, r => Assert.Equal([0, 1, 2], r.Order()));
    }

    [Fact]
    public void Search_KLargerThanBase_ReturnsAllRowsSorted()
    {
        var data = new float[] { 0, 0, 3, 0, 1, 0 };
        var truth = ExactKnn.Search(new VectorSet(data, 2), new VectorSet([0.9f, 0f], 2), 10, DistanceMetric.L2);
        Assert.Equal([2, 0, 1], truth[0]);
    }

    private static int[] Reference(float[] data, ReadOnlySpan<float> query, int dims, int k, DistanceMetric metric, Func<int, bool> include)
    {
        int n = data.Length / dims;
        var distances = new (double Distance, int Row)[n];
        int kept = 0;
        for (int row = 0; row < n; row++)
        {
            if (include(row))
                distances[kept++] = (BruteForce.Distance(query, SyntheticVectors.Row(data, dims, row), metric), row);
        }
        return [.. distances.Take(kept).OrderBy(d => d.Distance).ThenBy(d => d.Row).Take(k).Select(d => d.Row)];
    }
}

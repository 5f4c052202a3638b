using System.Globalization;

namespace NativeHnsw.Tests.Interchange;

/// <summary>
/// Files the real hnswlib 0.6.2 and FAISS 1.7.3 wrote (Fixtures/Interchange; made by FixtureWriter in
/// NativeHnsw.Interop.Tests), imported without those libraries. On their exact data the hnswlib imports must give
/// the very answers hnswlib gave; the FAISS imports, which walk the graph a little differently, at least 95% of them.
/// </summary>
public sealed class FixtureTests
{
    // The FixtureWriter's data: 300 rows of Datasets.Integers(…, 8, seed 11, 700), labels 1000 + 3i; queries seed 12.
    private const int Count = 300;
    private const int Dimensions = 8;

    [Theory]
    [InlineData("hnswlib-0.6.2-l2-m6", DistanceMetric.L2, 6)]
    [InlineData("hnswlib-0.6.2-ip-m5", DistanceMetric.InnerProduct, 5)]
    public void HnswlibFixture_ImportsWithItsData_AnswersAsHnswlibDid(string name, DistanceMetric metric, int m)
    {
        using var index = HnswIndex.ImportHnswlib(Fixture(name + ".bin"), metric, dimensions: Dimensions);
        CheckContents(index, m);
        var (agreeing, total) = CompareAnswers(index, name);
        Assert.Equal(total, agreeing);
    }

    [Theory]
    [InlineData("faiss-1.7.3-idmap-l2-m6", DistanceMetric.L2, 6)]
    [InlineData("faiss-1.7.3-idmap-ip-m5", DistanceMetric.InnerProduct, 5)]
    public void FaissFixture_ImportsWithItsData_AnswersCloseToFaiss(string name, DistanceMetric metric, int m)
    {
        using var index = HnswIndex.ImportFaiss(Fixture(name + ".bin"));
        Assert.Equal(metric, index.Metric);
        Assert.Equal(16, index.Options.DefaultEf);   // FAISS's efSearch, carried over
        Assert.Equal(40, index.Options.EfConstruction);
        CheckContents(index, m);
        var (agreeing, total) = CompareAnswers(index, name);
        Assert.True(agreeing >= total * 95 / 100, $"{agreeing} of {total} hits agree with FAISS's");
    }

    private static void CheckContents(HnswIndex index, int m)
    {
        index.CheckInvariants();
        Assert.Equal(m, index.Options.M);
        Assert.Equal(Count, index.Count);
        var data = Datasets.Integers(Count, Dimensions, 11, 700);
        for (int i = 0; i < Count; i++)
            Assert.Equal(data.AsSpan(i * Dimensions, Dimensions).ToArray(), index.GetVector(1_000 + 3 * i));
    }

    /// <summary>Hits (label and distance, exactly) that the import returns at the rank the library did.</summary>
    private static (int Agreeing, int Total) CompareAnswers(HnswIndex index, string name)
    {
        var queries = Datasets.Integers(30, Dimensions, 12, 700);
        int agreeing = 0, total = 0;
        foreach (string line in File.ReadAllLines(Fixture(name + ".answers.txt")))
        {
            var parts = line.Split(' ');
            int q = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int k = int.Parse(parts[1], CultureInfo.InvariantCulture);
            int ef = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var hits = index.Search(queries.AsSpan(q * Dimensions, Dimensions), k, ef);
            for (int i = 3; i < parts.Length; i++)
            {
                var pair = parts[i].Split(':');
                total++;
                int rank = i - 3;
                if (rank < hits.Length && hits[rank].Label == long.Parse(pair[0], CultureInfo.InvariantCulture)
                    && hits[rank].Distance == float.Parse(pair[1], CultureInfo.InvariantCulture))
                    agreeing++;
            }
        }
        Assert.True(total >= 250);
        return (agreeing, total);
    }

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interchange", name);
}

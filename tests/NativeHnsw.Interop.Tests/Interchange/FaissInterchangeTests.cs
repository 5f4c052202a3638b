using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests.Interchange;

/// <summary>
/// Round trips through the real FAISS 1.7.3 (libfaiss_c). FAISS walks level 0 differently from hnswlib and us (a
/// bounded candidate queue, a stop rule counting candidates below the worst result), so the same graph gives close,
/// not identical, answers: the law tested is a measured bound on the recall difference at the same ef, and a share
/// of identical hits on exact data.
/// </summary>
public sealed class FaissInterchangeTests : IDisposable
{
    private const double MaxRecallDifference = 0.02;

    private readonly TempDirectory _folder = new("nhnsw-interop-faiss-");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.Cosine)]
    public void FaissFile_Imported_RecallWithinBoundOfFaiss(DistanceMetric metric)
    {
        NativeRequirement.Faiss();
        var options = TestData.Options(metric);
        string path = _folder.File("faiss.index");
        using var faiss = FaissEngine.Create(options);
        faiss.AddBatch(TestData.Labels, TestData.Base);
        faiss.Save(path);

        using var imported = new HnswIndexEngine(HnswIndex.ImportFaiss(path, metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null));
        Assert.Equal(TestData.Count, imported.Count);
        Assert.Equal(options.M, imported.Index.Options.M);
        AssertRecallClose(faiss, imported, metric);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void ExportedFile_LoadedByFaiss_RecallWithinBound_EfSearchCarried(DistanceMetric metric)
    {
        NativeRequirement.Faiss();
        var options = TestData.Options(metric) with { DefaultEf = 77 };
        using var ours = new HnswIndexEngine(new HnswIndex(options));
        ours.AddBatch(TestData.Labels, TestData.Base);
        string path = _folder.File("exported.index");
        ours.Index.ExportFaiss(path);

        using var faiss = FaissEngine.Load(path, options);
        Assert.Equal(TestData.Count, faiss.Count);
        if (faiss.HnswParameters is { } parameters)
            Assert.Equal((77, options.EfConstruction), parameters);
        AssertRecallClose(faiss, ours, metric);
    }

    [Fact]
    public void ExactData_MostHitsIdenticalToFaiss()
    {
        NativeRequirement.Faiss();
        var data = ExactData.Base(1_000, seed: 1);
        var queries = ExactData.Queries(200, seed: 2);
        var options = HnswlibInterchangeTests.Options(DistanceMetric.L2, 8);
        using var faiss = FaissEngine.Create(options);
        faiss.AddBatch(Datasets.RowLabels(1_000), data, maxDegreeOfParallelism: 1);
        string path = _folder.File("exact.index");
        faiss.Save(path);
        using var imported = new HnswIndexEngine(HnswIndex.ImportFaiss(path));
        int same = 0, total = 0;
        for (int q = 0; q < 200; q++)
        {
            var query = queries.AsSpan(q * ExactData.Dimensions, ExactData.Dimensions);
            var theirs = faiss.Search(query, 10, 40);
            var mine = imported.Search(query, 10, 40);
            for (int i = 0; i < theirs.Length; i++)
            {
                total++;
                if (i < mine.Length && mine[i] == theirs[i])
                    same++;
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{same} of {total} hits identical");
        Assert.True(same >= total * 95 / 100, $"{same} of {total} hits identical");
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void ExportWithDeletedNodes_FaissHoldsTheLiveOnes_NeverReturnsADeleted_RecallWithinBound(DistanceMetric metric)
    {
        NativeRequirement.Faiss();
        var options = TestData.Options(metric);
        using var ours = new HnswIndexEngine(new HnswIndex(options));
        ours.AddBatch(TestData.Labels, TestData.Base);
        for (long label = 3; label < TestData.Count; label += 7)
            ours.Index.MarkDeleted(label);
        string path = _folder.File("deleted.index");
        ours.Index.ExportFaiss(path);

        using var faiss = FaissEngine.Load(path, options);
        Assert.Equal(ours.Count, faiss.Count);
        for (int q = 0; q < TestData.QueryCount; q++)
        {
            foreach (var hit in faiss.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), TestData.TruthK, 40))
                Assert.True(hit.Label % 7 != 3, $"query {q}: FAISS returned deleted label {hit.Label}");
        }
        // Against the exact neighbours among the live rows: FAISS on the rewired graph finds them as ours does with its waypoints.
        var truth = BruteForce.KNearest(TestData.Base, TestData.Queries, TestData.Dimensions, TestData.TruthK, metric, include: row => row % 7 != 3);
        AssertRecallClose(faiss, ours, metric, truth);
    }

    private static void AssertRecallClose(IVectorEngine faiss, IVectorEngine ours, DistanceMetric metric, int[][]? liveTruth = null)
    {
        var truth = liveTruth ?? TestData.Truth(metric);
        foreach (int ef in new[] { 16, 40 })
        {
            double theirs = Recall(faiss, truth, ef), mine = Recall(ours, truth, ef);
            TestContext.Current.TestOutputHelper?.WriteLine($"{metric} ef {ef}: recall@10 FAISS {theirs:F4}, NativeHnsw on the same graph {mine:F4}");
            Assert.True(Math.Abs(theirs - mine) <= MaxRecallDifference, $"recall@10 at ef {ef}: FAISS {theirs:F4}, ours on the same graph {mine:F4}");
        }
    }

    private static double Recall(IVectorEngine engine, int[][] truth, int ef)
    {
        var found = new List<IReadOnlyList<long>>();
        for (int q = 0; q < TestData.QueryCount; q++)
            found.Add(engine.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), TestData.TruthK, ef).Select(h => h.Label).ToList());
        return NativeHnsw.Testing.Recall.AtK(found, truth, TestData.TruthK);
    }
}

using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests.Interchange;

/// <summary>
/// Round trips through the real hnswlib 0.6.2 (libhnswlib_c): a file hnswlib wrote, imported, answers exactly as
/// hnswlib does at the same ef; a file we export loads in hnswlib and answers exactly as we do. "Exactly" is proved on
/// exact data (<see cref="ExactData"/>): same links, same walk, same distances, so the same top-k, bit for bit.
/// </summary>
public sealed class HnswlibInterchangeTests : IDisposable
{
    private const int Count = 1_000;
    private static readonly int[] s_ks = [1, 10];
    private static readonly int[] s_efs = [10, 40];

    private readonly TempDirectory _folder = new("nhnsw-interop-import-");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2, 8)]
    [InlineData(DistanceMetric.InnerProduct, 8)]
    [InlineData(DistanceMetric.L2, 3)]
    public void HnswlibFile_Imported_AnswersIdenticallyAtTheSameEf(DistanceMetric metric, int m)
    {
        NativeRequirement.Hnswlib();
        var data = ExactData.Base(Count, seed: 1);
        var queries = ExactData.Queries(200, seed: 2);
        // Room for twice the elements, as hnswlib users usually reserve: the file still holds only the added ones.
        var options = Options(metric, m) with { InitialCapacity = 2 * Count };
        string path = _folder.File("hnswlib.bin");
        using var hnswlib = HnswlibEngine.Create(options);
        hnswlib.AddBatch(Datasets.RowLabels(Count), data, maxDegreeOfParallelism: 1);
        hnswlib.Save(path);

        using var imported = new HnswIndexEngine(HnswIndex.ImportHnswlib(path, metric, dimensions: ExactData.Dimensions));
        Assert.Equal(Count, imported.Count);
        Assert.Equal(m, imported.Index.Options.M);
        int compared = ExactData.AssertSameAnswers(hnswlib, imported, data, queries, metric, s_ks, s_efs);
        TestContext.Current.TestOutputHelper?.WriteLine($"{compared} of 200 queries tie-free and compared");
        Assert.True(compared >= 40, $"only {compared} of 200 queries were tie-free");
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void ExportedFile_LoadedByHnswlib_AnswersIdentically_DeletesHonoured(DistanceMetric metric)
    {
        NativeRequirement.Hnswlib();
        var data = ExactData.Base(Count, seed: 3);
        var queries = ExactData.Queries(200, seed: 4);
        var options = Options(metric, 8);
        using var ours = new HnswIndexEngine(new HnswIndex(options));
        ours.AddBatch(Datasets.RowLabels(Count), data, maxDegreeOfParallelism: 1);
        for (long label = 0; label < Count; label += 7)
            ours.Index.MarkDeleted(label);
        string path = _folder.File("exported.bin");
        ours.Index.ExportHnswlib(path);

        using var hnswlib = HnswlibEngine.Load(path, options);
        Assert.Equal(Count, hnswlib.Count);   // hnswlib counts marked elements too
        int compared = ExactData.AssertSameAnswers(ours, hnswlib, data, queries, metric, s_ks, s_efs);
        TestContext.Current.TestOutputHelper?.WriteLine($"{compared} of 200 queries tie-free and compared");
        Assert.True(compared >= 40, $"only {compared} of 200 queries were tie-free");
        for (int q = 0; q < 50; q++)
            Assert.All(hnswlib.Search(queries.AsSpan(q * ExactData.Dimensions, ExactData.Dimensions), 10, 40), hit => Assert.NotEqual(0, hit.Label % 7));
    }

    [Fact]
    public void CosineFile_FromNormalisedRows_ImportsAsCosine_RecallMatches()
    {
        NativeRequirement.Hnswlib();
        var options = TestData.Options(DistanceMetric.Cosine);
        string path = _folder.File("cosine.bin");
        using var hnswlib = HnswlibEngine.Create(options);
        hnswlib.AddBatch(TestData.Labels, TestData.Base, maxDegreeOfParallelism: 1);
        hnswlib.Save(path);
        using var imported = new HnswIndexEngine(HnswIndex.ImportHnswlib(path, DistanceMetric.Cosine));
        var truth = TestData.Truth(DistanceMetric.Cosine);
        double theirs = Recall(hnswlib, truth), ours = Recall(imported, truth);
        TestContext.Current.TestOutputHelper?.WriteLine($"recall@10 at ef 40: hnswlib {theirs:F4}, imported {ours:F4}");
        // Cosine rows are not whole numbers, so kernels round differently; the walks still agree to within a hair.
        Assert.True(Math.Abs(theirs - ours) <= 0.005, $"recall@10 at ef 40: hnswlib {theirs:F4}, imported {ours:F4}");
    }

    internal static HnswOptions Options(DistanceMetric metric, int m) => new()
    {
        Dimensions = ExactData.Dimensions,
        Metric = metric,
        M = m,
        EfConstruction = 100,
        DefaultEf = 40,
        InitialCapacity = Count,
        Seed = 7,
    };

    private static double Recall(IVectorEngine engine, int[][] truth)
    {
        var found = new List<IReadOnlyList<long>>();
        for (int q = 0; q < TestData.QueryCount; q++)
            found.Add(engine.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), TestData.TruthK, 40).Select(h => h.Label).ToList());
        return NativeHnsw.Testing.Recall.AtK(found, truth, TestData.TruthK);
    }
}

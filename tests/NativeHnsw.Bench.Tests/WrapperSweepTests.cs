using Cloud.Unum.USearch;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Tests;

/// <summary>
/// USearch's C# wrapper and the expansion: what it allows (an expansion at construction), what it does not (a loaded
/// index searches at USearch's default, whatever it was saved with), and the harness's way to a whole sweep through it
/// (<see cref="WrapperSweep"/>: one build per ef, which gives one graph).
/// </summary>
public sealed class WrapperSweepTests : IDisposable
{
    private const int Dimensions = 16;
    private const int Count = 2_000;

    private static readonly float[] s_data = Datasets.Gaussian(Count, Dimensions, seed: 11);
    private static readonly float[] s_queries = Datasets.Gaussian(100, Dimensions, seed: 12);

    private readonly TempDirectory _folder = new("nhnsw-wrapper-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Wrapper_LoadedFile_SearchesAtTheDefaultExpansion_NotTheOneItWasBuiltWith()
    {
        NativeEngines.Require(VectorEngineFactory.UsearchWrapper);
        using var low = Build(expansionSearch: 1);
        using var standard = Build(expansionSearch: 0);   // 0: USearch's default
        string path = _folder.File("low.usearch");
        low.Save(path);
        using var loaded = new USearchIndex(path);

        int differFromLow = 0;
        for (int q = 0; q < 100; q++)
        {
            var query = s_queries.AsSpan(q * Dimensions, Dimensions).ToArray();
            var fromLoaded = Keys(loaded, query);
            Assert.Equal(Keys(standard, query), fromLoaded);
            if (!Keys(low, query).SequenceEqual(fromLoaded))
                differFromLow++;
        }
        Assert.True(differFromLow > 10, $"only {differFromLow} of 100 queries tell expansion 1 from the default");
    }

    [Fact]
    public void WrapperEngine_Loaded_ReportsTheDefaultExpansionItSearchesWith_NotTheOptionsEf()
    {
        NativeEngines.Require(VectorEngineFactory.UsearchWrapper);
        var labels = Datasets.RowLabels(Count);
        UsearchWrapperEngine Built(int ef)
        {
            var engine = UsearchWrapperEngine.Create(new HnswOptions { Dimensions = Dimensions, Metric = DistanceMetric.L2, M = 8, EfConstruction = 64, DefaultEf = ef });
            engine.AddBatch(labels, s_data, maxDegreeOfParallelism: 1);
            return engine;
        }
        using var low = Built(1);
        using var atDefault = Built(UsearchWrapperEngine.DefaultExpansion);
        Assert.Equal(1, low.FixedEf);
        string path = _folder.File("low-engine.usearch");
        low.Save(path);
        using var loaded = UsearchWrapperEngine.Load(path, new HnswOptions { Dimensions = Dimensions, Metric = DistanceMetric.L2, M = 8, EfConstruction = 64, DefaultEf = 1 });

        Assert.Equal(UsearchWrapperEngine.DefaultExpansion, loaded.FixedEf);
        Assert.Throws<NotSupportedException>(() => loaded.Search(s_queries.AsSpan(0, Dimensions), new SearchResult[10], 1));
        var fromLoaded = new SearchResult[10];
        var fromDefault = new SearchResult[10];
        for (int q = 0; q < 100; q++)
        {
            var query = s_queries.AsSpan(q * Dimensions, Dimensions);
            int n = loaded.Search(query, fromLoaded, loaded.FixedEf);
            Assert.Equal(atDefault.Search(query, fromDefault, atDefault.FixedEf), n);
            Assert.Equal(fromDefault.Take(n).Select(r => r.Label), fromLoaded.Take(n).Select(r => r.Label));
        }
    }

    [Fact]
    public void WrapperSweep_OneBuildPerEf_SameGraph_EachEfAtItsOwnExpansion()
    {
        NativeEngines.Require(VectorEngineFactory.UsearchWrapper);
        var options = new HnswOptions { Dimensions = Dimensions, Metric = DistanceMetric.L2, M = 8, EfConstruction = 64 };
        var labels = Datasets.RowLabels(Count);
        using var sweep = WrapperSweep.Build(options, [10, 40, 160], labels, s_data, _ => { });
        Assert.Equal([10, 40, 160], sweep.Efs);
        Assert.Equal(Count, sweep.Count);

        // The per-ef builds add the same rows in the same order on one thread: the expansion of searches plays no
        // part in adds, so the saved files are the same bytes.
        sweep.SaveEach(ef => _folder.File($"{ef}.usearch"));
        var first = File.ReadAllBytes(_folder.File("10.usearch"));
        Assert.Equal(first, File.ReadAllBytes(_folder.File("40.usearch")));
        Assert.Equal(first, File.ReadAllBytes(_folder.File("160.usearch")));

        var truth = BruteForce.KNearest(s_data, s_queries, Dimensions, 10, DistanceMetric.L2);
        double Recall(int ef) => NativeHnsw.Testing.Recall.AtK(
            Enumerable.Range(0, 100).Select(q => (IReadOnlyList<long>)sweep.Search(s_queries.AsSpan(q * Dimensions, Dimensions), 10, ef).Select(h => h.Label).ToArray()).ToArray(),
            truth, 10);
        double r10 = Recall(10), r160 = Recall(160);
        Assert.True(r160 > r10 + 0.02, $"recall@10 {r10:F4} at ef 10, {r160:F4} at ef 160");
        Assert.Throws<NotSupportedException>(() => sweep.Search(s_queries.AsSpan(0, Dimensions), 10, 20));
    }

    [Fact]
    public void Cli_WrapperSweep_WrapperRowAtEveryEf_DefaultAtTheMiddleOnly()
    {
        NativeEngines.Require(VectorEngineFactory.UsearchWrapper);
        string[] Args(string output, bool sweep) =>
            ["--count", "500", "--dims", "8", "--queries", "30", "--metric", "l2", "--ef", "10,20,40", "--repeats", "1", "--builds", "parallel",
             "--engines", "NativeHnsw,USearch-wrapper", "--no-plot", "--output", output, "--cache-dir", _folder.File("truth"), .. (sweep ? new[] { "--wrapper-sweep" } : [])];
        int[] WrapperEfs(string output)
        {
            var stderr = new StringWriter();
            Assert.True(BenchCli.Run(Args(output, output.EndsWith("sweep", StringComparison.Ordinal)), new StringWriter(), stderr) == 0, stderr.ToString());
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
            var wrapper = json.RootElement.GetProperty("engines").EnumerateArray().Single(e => e.GetProperty("engine").GetString() == EngineNames.UsearchWrapper);
            return [.. wrapper.GetProperty("sweep").EnumerateArray().Select(p => p.GetProperty("ef").GetInt32())];
        }
        Assert.Equal([10, 20, 40], WrapperEfs(_folder.File("sweep")));
        Assert.Equal([20], WrapperEfs(_folder.File("middle")));
    }

    private static USearchIndex Build(ulong expansionSearch)
    {
        var index = new USearchIndex(MetricKind.L2sq, ScalarKind.Float32, Dimensions, 8, 64, expansionSearch);
        for (int i = 0; i < Count; i++)
            index.Add((ulong)i, s_data.AsSpan(i * Dimensions, Dimensions).ToArray());
        return index;
    }

    private static ulong[] Keys(USearchIndex index, float[] query)
    {
        index.Search(query, 10, out ulong[] keys, out _);
        return keys;
    }
}

using System.Globalization;
using System.Text.Json;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Tests;

/// <summary>
/// --same-graph: one graph, built by any of the three engines, searched by all of them. The laws: NativeHnsw and hnswlib
/// walk the same graph step for step, so on exact data (whole numbers: every distance exact) and a query with no tied
/// distances they return the same labels with bit-identical distances; FAISS's level-0 loop has another stop rule, so it
/// agrees on most hits, not all (the bound measured in the interchange tests).
/// </summary>
public sealed class SameGraphTests : IDisposable
{
    private const int Dimensions = 8;
    private const int Count = 1_000;

    private static readonly float[] s_data = Datasets.Integers(Count, Dimensions, seed: 1, range: 700);
    private static readonly float[] s_queries = Datasets.Integers(200, Dimensions, seed: 2, range: 700);

    private readonly TempDirectory _folder = new("nhnsw-same-graph-");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(EngineNames.NativeHnsw, DistanceMetric.L2)]
    [InlineData(EngineNames.Hnswlib, DistanceMetric.L2)]
    [InlineData(EngineNames.Faiss, DistanceMetric.L2)]
    [InlineData(EngineNames.NativeHnsw, DistanceMetric.InnerProduct)]
    [InlineData(EngineNames.Faiss, DistanceMetric.InnerProduct)]
    public void AnyBuilder_NativeHnswAndHnswlibIdentical_FaissMostlyIdentical(string source, DistanceMetric metric)
    {
        NativeEngines.Require(VectorEngineFactory.Faiss, VectorEngineFactory.Hnswlib);
        var options = new HnswOptions { Dimensions = Dimensions, Metric = metric, M = 8, EfConstruction = 100, DefaultEf = 40, Seed = 7 };
        using var graph = SameGraph.Create(source, SameGraph.Engines, options, s_data, threads: 1, _folder.Path);
        Assert.Equal(source, graph.Source);
        Assert.Contains($"built once by {source}", graph.Description, StringComparison.Ordinal);
        using var ours = graph.Take(EngineNames.NativeHnsw)!;
        using var hnswlib = graph.Take(EngineNames.Hnswlib)!;
        using var faiss = graph.Take(EngineNames.Faiss)!;
        Assert.Empty(graph.Names);
        Assert.All(new[] { ours, hnswlib, faiss }, e => Assert.Equal(Count, e.Count));

        int compared = 0, faissSame = 0, faissTotal = 0;
        for (int q = 0; q < s_queries.Length / Dimensions; q++)
        {
            var query = s_queries.AsSpan(q * Dimensions, Dimensions);
            if (!BruteForce.AllDistancesDistinct(s_data, Dimensions, query, metric))
                continue;
            compared++;
            foreach (int ef in new[] { 10, 40 })
            {
                var mine = ours.Search(query, 10, ef);
                var theirs = hnswlib.Search(query, 10, ef);
                Assert.True(mine.Length == theirs.Length, $"query {q} ef {ef}: {mine.Length} vs {theirs.Length} hits");
                for (int i = 0; i < mine.Length; i++)
                {
                    Assert.True(mine[i].Label == theirs[i].Label && BitConverter.SingleToInt32Bits(mine[i].Distance) == BitConverter.SingleToInt32Bits(theirs[i].Distance),
                        string.Create(CultureInfo.InvariantCulture, $"query {q} ef {ef} rank {i}: NativeHnsw ({mine[i].Label}, {mine[i].Distance:R}), hnswlib ({theirs[i].Label}, {theirs[i].Distance:R})"));
                }
            }
            var fromFaiss = faiss.Search(query, 10, 40);
            var ref40 = ours.Search(query, 10, 40);
            for (int i = 0; i < fromFaiss.Length; i++)
            {
                faissTotal++;
                if (i < ref40.Length && ref40[i].Label == fromFaiss[i].Label)
                    faissSame++;
            }
        }
        Assert.True(compared >= 100, $"only {compared} tie-free queries of 200");
        Assert.True(faissTotal >= compared * 10 && faissSame >= 0.95 * faissTotal, $"FAISS: {faissSame} of {faissTotal} hits identical to NativeHnsw's at ef 40");
    }

    [Fact]
    public void SourceNotAmongEngines_OrUsearchAsked_BenchInputException()
    {
        var options = new HnswOptions { Dimensions = Dimensions, Metric = DistanceMetric.L2 };
        Assert.Contains("must be among --engines", Assert.Throws<BenchInputException>(() =>
            SameGraph.Create(EngineNames.Hnswlib, [EngineNames.NativeHnsw], options, s_data, 1, _folder.Path)).Message, StringComparison.Ordinal);
        Assert.Contains(EngineNames.Usearch, Assert.Throws<BenchInputException>(() =>
            SameGraph.Create(EngineNames.NativeHnsw, [EngineNames.NativeHnsw, EngineNames.Usearch], options, s_data, 1, _folder.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("can be built by", Assert.Throws<BenchInputException>(() =>
            SameGraph.Create(EngineNames.Usearch, [EngineNames.Usearch], options, s_data, 1, _folder.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_SameGraphFromHnswlib_ReportNamesTheGraph_OnlyTheBuilderBuilds_UsearchSaysWhy()
    {
        NativeEngines.Require(VectorEngineFactory.Faiss, VectorEngineFactory.Hnswlib);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = BenchCli.Run(
            ["--count", "600", "--dims", "8", "--queries", "40", "--metric", "l2", "--ef", "10,40", "--repeats", "1", "--builds", "parallel",
             "--engines", "NativeHnsw,hnswlib,FAISS,USearch", "--same-graph", "hnswlib", "--no-plot", "--output", _folder.Path, "--cache-dir", _folder.File("truth")],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(_folder.File("results.json")));
        string graph = json.RootElement.GetProperty("graph").GetString()!;
        Assert.StartsWith("same graph: built once by hnswlib", graph, StringComparison.Ordinal);
        Assert.Contains("NativeHnsw imported hnswlib's saveIndex file", graph, StringComparison.Ordinal);
        Assert.Contains("FAISS loaded our FAISS export of the imported graph", graph, StringComparison.Ordinal);
        Assert.Contains("graph: same graph: built once by hnswlib", File.ReadAllText(_folder.File("report.md")), StringComparison.Ordinal);

        var engines = json.RootElement.GetProperty("engines").EnumerateArray().ToDictionary(e => e.GetProperty("engine").GetString()!);
        Assert.Equal(JsonValueKind.Object, engines[EngineNames.Hnswlib].GetProperty("buildAllCores").ValueKind);
        Assert.Equal(JsonValueKind.Null, engines[EngineNames.NativeHnsw].GetProperty("buildAllCores").ValueKind);
        Assert.Equal(JsonValueKind.Null, engines[EngineNames.Faiss].GetProperty("buildAllCores").ValueKind);
        Assert.False(engines[EngineNames.Usearch].GetProperty("available").GetBoolean());
        Assert.Equal(SameGraph.UsearchReason, engines[EngineNames.Usearch].GetProperty("unavailableReason").GetString());
        // Same graph, same walk: recall at every ef agrees between ours and hnswlib's (a near-tie may reorder one hit).
        var mine = engines[EngineNames.NativeHnsw].GetProperty("sweep").EnumerateArray().Select(p => p.GetProperty("recall").GetDouble()).ToArray();
        var theirs = engines[EngineNames.Hnswlib].GetProperty("sweep").EnumerateArray().Select(p => p.GetProperty("recall").GetDouble()).ToArray();
        Assert.Equal(2, mine.Length);
        Assert.Equal(mine.Length, theirs.Length);
        Assert.All(mine.Zip(theirs), pair => Assert.InRange(pair.First - pair.Second, -0.005, 0.005));
    }

    [Fact]
    public void Cli_UnknownGraphSource_Exit2()
    {
        var stderr = new StringWriter();
        Assert.Equal(BenchCli.BadInput, BenchCli.Run(["--same-graph", "annoy"], new StringWriter(), stderr));
        Assert.Contains("--same-graph 'annoy'", stderr.ToString(), StringComparison.Ordinal);
    }
}

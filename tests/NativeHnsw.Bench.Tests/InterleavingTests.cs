using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Interop;
using NativeHnsw.Testing;
using Spectre.Console;

namespace NativeHnsw.Bench.Tests;

/// <summary>The interleaved sweep, the per-round ratios, and progress that moves on a terminal and in a log.</summary>
public sealed class InterleavingTests
{
    private const int Dimensions = 16;

    [Fact]
    public void InterleavedSweep_EveryEngineEveryEf_RatiosPerRoundAgainstTheReference()
    {
        var data = Datasets.Gaussian(500, Dimensions, seed: 5);
        var queries = new VectorSet(Datasets.Gaussian(20, Dimensions, seed: 6), Dimensions);
        var truth = BruteForce.KNearest(data, queries.Data, Dimensions, 10, DistanceMetric.L2);
        var options = new HnswOptions { Dimensions = Dimensions, Metric = DistanceMetric.L2 };
        using var a = HnswIndexEngine.Create(options);
        using var b = HnswIndexEngine.Create(options);
        a.AddBatch(Datasets.RowLabels(500), data);
        b.AddBatch(Datasets.RowLabels(500), data);
        var progress = new List<long>();

        var points = SearchSweep.RunInterleaved(
            [new SweepEngine("A", a), new SweepEngine("B", b), new SweepEngine("OneEf", b, OnlyEf: 40)],
            queries, truth, 10, [10, 40], repeats: 3, reference: "A", progress.Add);

        Assert.Equal([10, 40], points["A"].Select(p => p.Ef));
        Assert.Equal([10, 40], points["B"].Select(p => p.Ef));
        Assert.Equal([40], points["OneEf"].Select(p => p.Ef));
        Assert.All(points["A"], p => Assert.Null(p.QpsRatioToOurs));
        Assert.All(points["B"], p => Assert.Equal(3, p.QpsRatioToOurs!.Runs));
        Assert.All(points["B"], p => Assert.InRange(p.QpsRatioToOurs!.Median, p.QpsRatioToOurs.Min, p.QpsRatioToOurs.Max));
        // Same index, same queries: same recall, whichever name it runs under (A is a separate build, so it may differ).
        Assert.Equal(points["B"][1].Recall, points["OneEf"][0].Recall);
        Assert.InRange(points["A"][1].Recall, 0.5, 1.0);
        // One pass of 20 queries per engine per round: 2 engines × 3 rounds at ef 10, 3 × 3 at ef 40.
        Assert.Equal(Enumerable.Range(1, 15).Select(i => i * 20L), progress);
    }

    [Fact]
    public void RoundRatio_PairsRoundByRound()
    {
        Assert.Equal("3.00 (2.00–4.00)", ReportTables.RoundRatio([2, 8, 3], [1, 2, 1]));
        Assert.Equal("0.50", ReportTables.RoundRatio([1], [2, 5]));
        Assert.Equal("", ReportTables.RoundRatio([], [1]));
    }

    [Fact]
    public void Progress_NotATerminal_PrintsCountsAtMostEveryInterval()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var clock = new FakeTimeProvider();
        var ui = new ConsoleUi(console, clock);

        int result = ui.Step("build", 1_000, "vectors", report =>
        {
            report(100);                                   // too soon: nothing
            clock.Advance(ConsoleUi.PlainProgressInterval);
            report(400);                                   // printed
            clock.Advance(TimeSpan.FromSeconds(1));
            report(500);                                   // too soon again
            clock.Advance(ConsoleUi.PlainProgressInterval);
            report(1_000);                                 // done: the closing line says it
            return 7;
        });

        Assert.Equal(7, result);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("build: 400/1,000 vectors", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("build: ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" s", lines[1], StringComparison.Ordinal);
    }
}

using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using static NativeHnsw.Bench.Tests.SweepPoints;

namespace NativeHnsw.Bench.Tests;

/// <summary>The scale run's summary table: each engine's fastest point at recall ≥ 0.95, or why it has none.</summary>
public sealed class AtRecallTableTests
{
    private static EngineResult Engine(string name, BuildResult? build, PersistenceResult? persistence, params SearchPoint[] sweep) =>
        new(name, true, null, null, build, sweep, persistence, null);

    private static RunReport Report(params EngineResult[] engines) => new(
        "bench", DateTimeOffset.UnixEpoch, new MachineInfo("cpu", 2, "", "", "", new Dictionary<string, string>()), "clustered", "",
        1_000_000, 1000, 128, "Cosine", 16, 40, 10, 3, 1, false, null, engines, [], []);

    [Fact]
    public void FastestPointAboveTheThreshold_IsChosen_AndEnginesThatNeverReachItSaySo()
    {
        var persisted = new PersistenceResult(new Summary(900, 800, 1000, 3), new Summary(400, 390, 410, 3), new Summary(0.2, 0.1, 0.3, 3), null,
            null, null, null, 660_000_000, 663, SavesWithFsync: true, SearchBytesPerVector: 596);
        var report = Report(
            Engine(EngineNames.NativeHnsw, new BuildResult(2, 600, 1666), persisted,
                Point(40, 0.90, 4000), Point(80, 0.951, 3000), Point(160, 0.98, 2000)),
            Engine(EngineNames.Hnswlib, new BuildResult(2, 700, 1428), null,
                Point(40, 0.93, 3500), Point(80, 0.96, 2400), Point(160, 0.99, 1500)),
            Engine(EngineNames.Faiss, new BuildResult(2, 800, 1250), null,
                Point(40, 0.80, 5000), Point(160, 0.94, 1000)));

        var table = ReportTables.AtRecall(report);

        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["NativeHnsw", "600.0 (2 thr.)", "80", "0.9510", "3,000", "1.00", "663", "596", "660.0", "900.00", "400.00", "0.20"], table.Rows[0]);
        Assert.Equal("80", table.Rows[1][2]);
        Assert.Equal("0.80", table.Rows[1][5]);
        Assert.Equal("not reached", table.Rows[2][2]);
        Assert.Equal("best 0.9400 at ef 160", table.Rows[2][3]);
        Assert.Equal("", table.Rows[2][4]);
        Assert.Contains(ReportTables.For(report), t => t.Title == table.Title);
    }

    [Fact]
    public void WithoutOurEngine_TheRatioColumnIsEmpty()
    {
        var table = ReportTables.AtRecall(Report(Engine(EngineNames.Hnswlib, null, null, Point(80, 0.97, 2400))));

        Assert.Equal(["hnswlib", "shared", "80", "0.9700", "2,400", "", "unknown", "unknown", "", "", "", ""], table.Rows[0]);
    }
}

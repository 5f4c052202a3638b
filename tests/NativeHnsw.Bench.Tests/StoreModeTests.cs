namespace NativeHnsw.Bench.Tests;

/// <summary>The <c>store</c> subcommand end to end on a tiny store: exit 0, both report files written with every figure.</summary>
public sealed class StoreModeTests
{
    [Fact]
    public void Store_TinyRun_WritesReportAndResults()
    {
        using var dir = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = BenchCli.Run(["store", "--count", "300", "--dims", "8", "--singles", "20", "--strict-count", "200", "--replay", "50", "--queries", "20", "--output", dir.Path],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string md = File.ReadAllText(dir.File("report.md"));
        string json = File.ReadAllText(dir.File("results.json"));
        foreach (string expected in new[] { "Durability.Process", "Durability.Strict", "fresh checkpoint", "replay of 50", "rebuild of 320", "1% filter", "10% filter", "no filter" })
            Assert.Contains(expected, md, StringComparison.Ordinal);
        Assert.Contains("\"figures\"", json, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("work")), "the scratch stores are removed");
    }

    [Fact]
    public void Store_Ship_ReportsPerRoundRatiosAndTheTarget()
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();
        int code = BenchCli.Run(["store", "--count", "300", "--dims", "8", "--singles", "1100", "--strict-count", "200", "--replay", "50", "--queries", "20", "--ship", "--output", dir.Path],
            new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        string md = File.ReadAllText(dir.File("report.md"));
        // 1,100 singles: 110 warm up, then rounds of 500 and 490.
        Assert.Contains("median of 2 per-round ratios", md, StringComparison.Ordinal);
        Assert.Contains("shipping off again (control)", md, StringComparison.Ordinal);
        Assert.Contains("Target: shipping slows commits by at most 5 %", md, StringComparison.Ordinal);
        Assert.Contains("shipping on (shipper every 1 s) / both off stores", md, StringComparison.Ordinal);
    }

    [Fact]
    public void ShipRatios_RoundByRound_MedianQuartilesAndTotal()
    {
        // Round 3 is a burst of load that doubled the store's block: the median ignores it, the total does not.
        double[] off = [10, 10, 10, 10, 10];
        double[] store = [10.2, 10.4, 20, 10.1, 10.3];
        var r = NativeHnsw.Bench.Store.ShipRatios.Of(store, off);
        Assert.Equal(5, r.Rounds);
        Assert.Equal(1.03, r.Median, 12);
        Assert.Equal(1.02, r.Lower, 12);
        Assert.Equal(1.04, r.Upper, 12);
        Assert.Equal(61.0 / 50, r.Total, 12);
        // Only the rounds both have count.
        Assert.Equal(2, NativeHnsw.Bench.Store.ShipRatios.Of(store, [10, 10]).Rounds);
        Assert.Throws<ArgumentException>(() => NativeHnsw.Bench.Store.ShipRatios.Of(store, []));
    }

    [Fact]
    public void Store_CountBelow100_Exit2()
    {
        var stderr = new StringWriter();
        Assert.Equal(BenchCli.BadInput, BenchCli.Run(["store", "--count", "50"], new StringWriter(), stderr));
        Assert.Contains("--count 50", stderr.ToString(), StringComparison.Ordinal);
    }
}

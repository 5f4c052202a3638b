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
    public void Store_CountBelow100_Exit2()
    {
        var stderr = new StringWriter();
        Assert.Equal(BenchCli.BadInput, BenchCli.Run(["store", "--count", "50"], new StringWriter(), stderr));
        Assert.Contains("--count 50", stderr.ToString(), StringComparison.Ordinal);
    }
}

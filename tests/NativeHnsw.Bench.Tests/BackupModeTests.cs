using System.Text.Json;

namespace NativeHnsw.Bench.Tests;

/// <summary>The <c>backup</c> subcommand end to end on a tiny index and store: exit 0, every table written, the chunked days cheaper than the whole ones.</summary>
public sealed class BackupModeTests
{
    [Fact]
    public void Backup_TinyRun_WritesReportAndResults_ChunkedStoresLess()
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();
        int code = BenchCli.Run(["backup", "--count", "2000", "--dims", "64", "--days", "2", "--store-records", "300", "--output", dir.Path], new StringWriter(), stderr);

        Assert.True(code == 0, stderr.ToString());
        string md = File.ReadAllText(dir.File("report.md"));
        foreach (string expected in new[] { "Daily backups", "Totals", "Day 1 by section", "links0", "store.db (SQLite)", "Restore of the last index backup", "unchanged 300-record store" })
            Assert.Contains(expected, md, StringComparison.Ordinal);
        var days = JsonDocument.Parse(File.ReadAllText(dir.File("results.json"))).RootElement.GetProperty("days").EnumerateArray()
            .Where(d => d.GetProperty("day").GetInt32() > 0).ToList();
        Assert.Equal(4, days.Count);
        Assert.All(days, d => Assert.True(d.GetProperty("chunkedBytes").GetInt64() < d.GetProperty("wholeBytes").GetInt64()));
        Assert.False(Directory.Exists(dir.File("work")), "the scratch targets are removed");
    }

    [Fact]
    public void Backup_NoDays_Exit2()
    {
        var stderr = new StringWriter();
        Assert.Equal(BenchCli.BadInput, BenchCli.Run(["backup", "--days", "0"], new StringWriter(), stderr));
        Assert.Contains("--days", stderr.ToString(), StringComparison.Ordinal);
    }
}

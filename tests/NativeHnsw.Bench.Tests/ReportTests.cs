using System.Text.Json;

namespace NativeHnsw.Bench.Tests;

/// <summary>A tiny real run of our engine end to end: the report files are written and the JSON holds the figures.</summary>
public sealed class ReportTests
{
    [Fact]
    public void SmallRun_WritesMarkdownJsonAndPng()
    {
        using var dir = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = BenchCli.Run(
            ["--count", "400", "--dims", "16", "--queries", "20", "--ef", "10,40", "--engines", "NativeHnsw,NativeHnsw-mmap", "--builds", "parallel",
             "--repeats", "1", "--output", dir.Path, "--cache-dir", dir.File("cache")],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        string md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("| NativeHnsw |", md, StringComparison.Ordinal);
        Assert.Contains("recall-qps.png", md, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        var engines = json.RootElement.GetProperty("engines");
        Assert.Equal(2, engines.GetArrayLength());
        var sweep = engines[0].GetProperty("sweep");
        Assert.Equal(2, sweep.GetArrayLength());
        Assert.InRange(sweep[1].GetProperty("recall").GetDouble(), 0.5, 1.0);
        Assert.True(engines[0].GetProperty("persistence").GetProperty("fileBytes").GetInt64() > 0);

        var png = File.ReadAllBytes(dir.File("recall-qps.png"));
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains("report.md", stdout.ToString(), StringComparison.Ordinal);
    }
}

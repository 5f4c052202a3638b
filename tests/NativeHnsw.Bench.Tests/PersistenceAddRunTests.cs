using System.Text.Json;

namespace NativeHnsw.Bench.Tests;

/// <summary>persistence --add-run: an earlier comparison run's save/load/open figures join the size tables and plot at its size.</summary>
public sealed class PersistenceAddRunTests
{
    [Fact]
    public void EarlierRunRows_JoinAtTheirSize_WithTheirOwnFigures_AndANote()
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();
        int code = BenchCli.Run(
            ["--count", "1200", "--dims", "8", "--queries", "10", "--ef", "20", "--engines", "NativeHnsw,NativeHnsw-mmap,hnswlib", "--builds", "parallel",
             "--repeats", "1", "--ef-construction", "40", "--no-plot", "--output", dir.File("run"), "--cache-dir", dir.File("cache")],
            new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        string runJson = Path.Combine(dir.File("run"), "results.json");
        using var run = JsonDocument.Parse(File.ReadAllText(runJson));
        var ours = run.RootElement.GetProperty("engines").EnumerateArray().First(e => e.GetProperty("engine").GetString() == "NativeHnsw").GetProperty("persistence");

        code = BenchCli.Run(
            ["persistence", "--sizes", "300", "--dims", "8", "--repeats", "1", "--ef-construction", "40", "--engines", "NativeHnsw,hnswlib",
             "--add-run", runJson, "--output", dir.File("p")],
            new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("p"), "results.json")));
        var rows = json.RootElement.GetProperty("engines").EnumerateArray().ToArray();
        Assert.Equal([(300, "NativeHnsw"), (300, "hnswlib"), (1200, "NativeHnsw"), (1200, "hnswlib")],
            rows.Select(r => (r.GetProperty("size").GetInt32(), r.GetProperty("engine").GetString()!)));
        var added = rows[2];
        Assert.Equal(ours.GetProperty("fileBytes").GetInt64(), added.GetProperty("fileBytes").GetInt64());
        Assert.Equal(ours.GetProperty("loadMs").GetProperty("median").GetDouble(), added.GetProperty("loadMs").GetProperty("median").GetDouble());
        Assert.NotEqual(JsonValueKind.Null, added.GetProperty("openMs").ValueKind);
        var sizes = json.RootElement.GetProperty("sizes").EnumerateArray().Select(s => s.GetProperty("size").GetInt32());
        Assert.Equal([300, 1200], sizes);
        Assert.Contains(json.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("1,200-vector rows: from an earlier comparison run", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(dir.File("p"), "persistence-times.png")));
    }

    [Theory]
    [InlineData("missing.json", "no such file")]
    [InlineData("bad.json", "not the results.json of a comparison run")]
    public void BadFile_ExitsTwoBeforeAnyBuild(string name, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.json"), "{ \"engines\": 3 ");
        var stderr = new StringWriter();
        int code = BenchCli.Run(["persistence", "--sizes", "300", "--dims", "8", "--engines", "none", "--add-run", dir.File(name), "--output", dir.File("p")],
            new StringWriter(), stderr);

        Assert.Equal(BenchCli.BadInput, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }
}

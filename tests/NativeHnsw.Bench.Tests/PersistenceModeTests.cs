using System.Text.Json;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Tests;

/// <summary>The persistence mode at small sizes: every available engine at every size, the cross-engine table and the plot.</summary>
public sealed class PersistenceModeTests
{
    [Fact]
    public void SmallSizes_EveryEngineEverySize_TableJsonAndPlot()
    {
        using var dir = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = BenchCli.Run(
            ["persistence", "--sizes", "300,900", "--dims", "8", "--repeats", "2", "--ef-construction", "40", "--output", dir.Path],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        var expected = new List<string> { "NativeHnsw" };
        foreach (var (name, factory) in new[] { ("FAISS", VectorEngineFactory.Faiss), ("hnswlib", VectorEngineFactory.Hnswlib), ("USearch", VectorEngineFactory.Usearch) })
        {
            if (factory.IsAvailable)
                expected.Add(name);
        }
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        var rows = json.RootElement.GetProperty("engines").EnumerateArray()
            .Select(r => (Engine: r.GetProperty("engine").GetString()!, Size: r.GetProperty("size").GetInt32(), Row: r)).ToArray();
        Assert.Equal(expected.Count * 2, rows.Length);
        foreach (string engine in expected)
        {
            Assert.Equal([300, 900], rows.Where(r => r.Engine == engine).Select(r => r.Size));
            foreach (var (_, _, row) in rows.Where(r => r.Engine == engine))
            {
                Assert.True(row.GetProperty("fileBytes").GetInt64() > 0);
                Assert.True(row.GetProperty("loadMs").GetProperty("median").GetDouble() > 0);
                Assert.Equal(2, row.GetProperty("saveMs").GetProperty("runs").GetInt32());
                // Only ours fsyncs in its save; the others get a save + fsync of their own.
                Assert.Equal(engine == "NativeHnsw", row.GetProperty("savesWithFsync").GetBoolean());
                bool opens = engine is "NativeHnsw" or "USearch";
                Assert.Equal(opens, row.GetProperty("openMs").ValueKind != JsonValueKind.Null);
            }
        }
        // A bigger index is a bigger file, for every engine.
        foreach (string engine in expected)
        {
            var sizes = rows.Where(r => r.Engine == engine).OrderBy(r => r.Size).Select(r => r.Row.GetProperty("fileBytes").GetInt64()).ToArray();
            Assert.True(sizes[1] > 2 * sizes[0], $"{engine}: {sizes[0]} → {sizes[1]} bytes");
        }

        string md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("Every engine at every size", md, StringComparison.Ordinal);
        Assert.Contains("persistence-times.png", md, StringComparison.Ordinal);
        var png = File.ReadAllBytes(dir.File("persistence-times.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void SizesScale_TenThousandToAMillion_ListsStillParsed()
    {
        Assert.Equal([10_000, 30_000, 100_000, 300_000, 1_000_000], BenchCli.ParseSizes(["scale"]));
        Assert.Equal([10_000, 1_000_000], BenchCli.ParseSizes(["10_000,1000000"]));
        Assert.Throws<BenchInputException>(() => BenchCli.ParseSizes(["scale,10"]));
    }

    [Fact]
    public void Engines_None_SkipsTheComparisonAndThePlot()
    {
        using var dir = new TempDirectory();
        int code = BenchCli.Run(["persistence", "--sizes", "200", "--dims", "8", "--repeats", "1", "--engines", "none", "--output", dir.Path],
            new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        Assert.False(File.Exists(dir.File("persistence-times.png")));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        Assert.Equal(0, json.RootElement.GetProperty("engines").GetArrayLength());
    }

    [Fact]
    public void Engines_Unsupported_Exit2()
    {
        var stderr = new StringWriter();
        int code = BenchCli.Run(["persistence", "--engines", "USearch-wrapper"], new StringWriter(), stderr);
        Assert.Equal(BenchCli.BadInput, code);
        Assert.Contains("not supported here", stderr.ToString(), StringComparison.Ordinal);
    }
}

using System.Text.Json;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Tests;

/// <summary>The import mode: every way to a searchable index is timed and reported, and each import answers exactly as the index its file came from.</summary>
public sealed class ImportModeTests : IDisposable
{
    private readonly TempDirectory _folder = new("nhnsw-import-mode-");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("l2")]
    [InlineData("cosine")]
    public void OurExports_ImportsIdenticalToTheRebuild_EveryWayReported(string metric)
    {
        var stderr = new StringWriter();
        int code = BenchCli.Run(["import", "--dataset", "synthetic", "--count", "800", "--dims", "16", "--metric", metric, "--ef-construction", "32",
            "--repeats", "2", "--output", _folder.Path], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(_folder.File("results.json")));
        var figures = json.RootElement.GetProperty("figures").EnumerateArray().ToArray();
        var ways = figures.Select(f => f.GetProperty("way").GetString()!).ToArray();
        Assert.StartsWith("rebuild from the vectors", ways[0], StringComparison.Ordinal);
        Assert.Equal(0, figures[0].GetProperty("fileBytes").GetInt64());
        // 200 queries × k 10 at ef 64, every hit the same label at the same rank: the same graph walked by the same engine.
        Assert.Equal("identical: 2,000 of 2,000 hits", Single(figures, "import the hnswlib file").GetProperty("answers").GetString());
        Assert.Equal("identical: 2,000 of 2,000 hits", Single(figures, "import the FAISS file").GetProperty("answers").GetString());
        Assert.All(figures.Skip(1), f => Assert.True(f.GetProperty("fileBytes").GetInt64() > 800 * 16 * sizeof(float)));
        Assert.All(figures.Skip(1), f => Assert.Equal(2, f.GetProperty("milliseconds").GetProperty("runs").GetInt32()));
        Assert.Contains(ways, w => w.StartsWith("NativeHnsw: load of its own file", StringComparison.Ordinal));
        Assert.Equal(VectorEngineFactory.Hnswlib.IsAvailable, ways.Any(w => w.StartsWith("hnswlib: loadIndex", StringComparison.Ordinal)));
        Assert.Equal(VectorEngineFactory.Faiss.IsAvailable, ways.Any(w => w.StartsWith("FAISS: read_index", StringComparison.Ordinal)));
        Assert.Contains("Import vs rebuild (800 × 16", File.ReadAllText(_folder.File("report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void FilesFromLibraries_ImportsAnswerAsTheLibraries()
    {
        NativeEngines.Require(VectorEngineFactory.Hnswlib, VectorEngineFactory.Faiss);
        var stderr = new StringWriter();
        int code = BenchCli.Run(["import", "--dataset", "synthetic", "--count", "800", "--dims", "16", "--metric", "l2", "--ef-construction", "32",
            "--repeats", "1", "--files-from", "libraries", "--output", _folder.Path], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(_folder.File("results.json")));
        var figures = json.RootElement.GetProperty("figures").EnumerateArray().ToArray();
        // hnswlib: the same walk, so identical but for near-ties of real-valued data; FAISS: another stop rule (docs/IMPORT.md).
        Assert.True(Identical(Single(figures, "import the hnswlib file")) >= 0.99);
        Assert.True(Identical(Single(figures, "import the FAISS file")) >= 0.9);
    }

    [Fact]
    public void UnknownFilesFrom_Exit2()
    {
        var stderr = new StringWriter();
        Assert.Equal(BenchCli.BadInput, BenchCli.Run(["import", "--files-from", "elsewhere"], new StringWriter(), stderr));
        Assert.Contains("--files-from 'elsewhere'", stderr.ToString(), StringComparison.Ordinal);
    }

    private static JsonElement Single(JsonElement[] figures, string prefix) =>
        figures.Single(f => f.GetProperty("way").GetString()!.StartsWith(prefix, StringComparison.Ordinal));

    private static double Identical(JsonElement figure)
    {
        var parts = figure.GetProperty("answers").GetString()!.Replace(",", "", StringComparison.Ordinal).Split(' ');
        return double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) / double.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture);
    }
}

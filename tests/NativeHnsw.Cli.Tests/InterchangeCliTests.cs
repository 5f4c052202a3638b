using System.Text.Json;
using NativeHnsw.Cli;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw import</c>, <c>nhnsw export</c>, and <c>nhnsw info</c> on a foreign file, in-process.</summary>
public sealed class InterchangeCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    [Theory]
    [InlineData("hnswlib")]
    [InlineData("faiss")]
    public void ExportInfoImport_RoundTrip_SameAnswers(string library)
    {
        string original = _dir.File("index.nhnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 6, Metric = DistanceMetric.L2, M = 8, EfConstruction = 40 }))
        {
            index.AddRange(Datasets.RowLabels(300), Datasets.Gaussian(300, 6, seed: 3));
            index.Save(original);
        }
        string foreign = _dir.File("index." + library);
        var export = Run("export", "--to", library, original, foreign);
        Assert.True(export.Code == 0, export.Err);

        var info = Run("info", foreign, "--json");
        Assert.Equal(NhnswCli.Failed, info.Code);
        using (var doc = JsonDocument.Parse(info.Out))
        {
            Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(library, doc.RootElement.GetProperty("foreign").GetProperty("library").GetString());
            Assert.Contains($"nhnsw import --from {library}", doc.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
        }
        Assert.Contains("is not a NativeHnsw index", Run("info", foreign).Out, StringComparison.Ordinal);

        string imported = _dir.File("imported.nhnsw");
        var import = Run("import", "--from", library, foreign, imported, "--metric", "l2", "--json");
        Assert.True(import.Code == 0, import.Err);
        using (var doc = JsonDocument.Parse(import.Out))
            Assert.Equal(300, doc.RootElement.GetProperty("count").GetInt32());
        using var a = HnswIndex.Load(original);
        using var b = HnswIndex.Load(imported);
        var query = Datasets.Gaussian(1, 6, seed: 9);
        Assert.Equal(a.Search(query, 10, 50), b.Search(query, 10, 50));
    }

    [Fact]
    public void BadUse_Exit2_DamagedFile_Exit1()
    {
        string path = _dir.File("x.bin");
        File.WriteAllBytes(path, new byte[200]);
        Assert.Equal(NhnswCli.BadUsage, Run("import", "--from", "hnswlib", path, _dir.File("o.nhnsw")).Code);   // no --metric
        Assert.Equal(NhnswCli.BadUsage, Run("import", "--from", "annoy", path, _dir.File("o.nhnsw")).Code);
        var damaged = Run("import", "--from", "faiss", path, _dir.File("o.nhnsw"));
        Assert.Equal(NhnswCli.Failed, damaged.Code);
        Assert.Contains("fourcc", damaged.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("o.nhnsw")));
    }
}

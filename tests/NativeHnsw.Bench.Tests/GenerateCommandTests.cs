using System.Text.Json;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Tests;

/// <summary>The generate command writes a TEXMEX-layout dataset that the harness reads back through --dataset.</summary>
public sealed class GenerateCommandTests
{
    [Fact]
    public void SiftStyle_FilesHoldWholeNumbersAndExactL2Neighbours_AndTheHarnessRunsOnThem()
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();
        int code = BenchCli.Run(["generate", "--count", "600", "--queries", "25", "--dims", "24", "--k", "20", "--output", dir.Path], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());

        var baseSet = VectorFiles.ReadFvecs(dir.File("sift_base.fvecs"));
        var queries = VectorFiles.ReadFvecs(dir.File("sift_query.fvecs"));
        var truth = VectorFiles.ReadIvecs(dir.File("sift_groundtruth.ivecs"));
        Assert.Equal((600, 24), (baseSet.Count, baseSet.Dimensions));
        Assert.Equal((25, 24), (queries.Count, queries.Dimensions));
        Assert.All(baseSet.Data, v => Assert.True(v is >= 0 and <= 255 && v == MathF.Round(v), $"value {v} is not a whole number in 0..255"));
        Assert.Contains(baseSet.Data, v => v == 0);
        Assert.Equal(ExactKnn.Search(baseSet, queries, 20, DistanceMetric.L2), truth);

        code = BenchCli.Run(
            ["--dataset", dir.File("sift_base.fvecs"), "--query-file", dir.File("sift_query.fvecs"), "--metric", "l2", "--ef", "64", "--engines", "NativeHnsw",
             "--builds", "parallel", "--repeats", "1", "--no-plot", "--output", dir.File("run"), "--cache-dir", dir.File("cache")],
            new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "results.json")));
        Assert.Equal("L2", json.RootElement.GetProperty("metric").GetString());
        Assert.InRange(json.RootElement.GetProperty("engines")[0].GetProperty("sweep")[0].GetProperty("recall").GetDouble(), 0.9, 1.0);
    }

    [Fact]
    public void SameSeed_SameFiles_OtherSeed_OtherFiles()
    {
        using var dir = new TempDirectory();
        foreach (var (seed, folder) in new[] { ("3", "a"), ("3", "b"), ("4", "c") })
        {
            int code = BenchCli.Run(["generate", "--kind", "clustered", "--count", "200", "--queries", "5", "--dims", "8", "--k", "5", "--seed", seed, "--output", dir.File(folder)],
                new StringWriter(), new StringWriter());
            Assert.Equal(0, code);
        }

        byte[] Read(string folder) => File.ReadAllBytes(Path.Combine(dir.File(folder), "clustered_base.fvecs"));
        Assert.Equal(Read("a"), Read("b"));
        Assert.NotEqual(Read("a"), Read("c"));
    }

    [Theory]
    [InlineData("--kind", "texmex", "--kind 'texmex'")]
    [InlineData("--k", "700", "--k 700")]
    [InlineData("--dims", "0", "--dims 0")]
    [InlineData("--latent-dims", "129", "--latent-dims 129")]
    public void BadArguments_ExitTwoWithTheOption(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();
        int code = BenchCli.Run(["generate", "--count", "600", option, value, "--output", dir.Path], new StringWriter(), stderr);

        Assert.Equal(BenchCli.BadInput, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

using NativeHnsw.Bench.Data;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Tests;

/// <summary>Bad input of every kind: one clear line on stderr, exit code 2, no stack trace. Runs the real entry point in-process.</summary>
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = BenchCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertBadInput((int Code, string Out, string Err) result, string expected)
    {
        Assert.Equal(BenchCli.BadInput, result.Code);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_Exit2() => AssertBadInput(Run("--frobnicate", "3"), "--frobnicate");

    [Fact]
    public void UnknownEngine_Exit2() => AssertBadInput(Run("--engines", "NativeHnsw,annoy"), "unknown engine 'annoy'");

    [Fact]
    public void UnknownDataset_Exit2() => AssertBadInput(Run("--dataset", "imagenet"), "unknown dataset 'imagenet'");

    [Fact]
    public void UnknownMetric_Exit2() => AssertBadInput(Run("--metric", "hamming"), "unknown metric 'hamming'");

    [Fact]
    public void BadEfList_Exit2() => AssertBadInput(Run("--ef", "10,abc"), "--ef: 'abc'");

    [Fact]
    public void ZeroBuildRounds_Exit2() => AssertBadInput(Run("--build-rounds", "0"), "--build-rounds");

    [Fact]
    public void BadPersistenceSizes_Exit2() => AssertBadInput(Run("persistence", "--sizes", "10,-5"), "--sizes");

    [Fact]
    public void MissingFile_Exit2()
    {
        using var dir = new TempDirectory();
        AssertBadInput(Run("--dataset", dir.File("missing.fvecs"), "--output", dir.Path, "--cache-dir", dir.Path), "does not exist");
    }

    [Fact]
    public void MalformedFile_Exit2()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("bad.fvecs"), [5, 0, 0, 0, 1, 2]);
        AssertBadInput(Run("--dataset", dir.File("bad.fvecs"), "--output", dir.Path, "--cache-dir", dir.Path), "truncated");
    }

    [Fact]
    public void MismatchedQueryDimensions_Exit2()
    {
        using var dir = new TempDirectory();
        VectorFiles.WriteFvecs(dir.File("base.fvecs"), new VectorSet(new float[40], 4));
        VectorFiles.WriteFvecs(dir.File("q.fvecs"), new VectorSet(new float[15], 5));
        AssertBadInput(Run("--dataset", dir.File("base.fvecs"), "--query-file", dir.File("q.fvecs"), "--output", dir.Path, "--cache-dir", dir.Path),
            "has 4 dimensions but the queries");
    }

    [Fact]
    public void KLargerThanBase_Exit2()
    {
        using var dir = new TempDirectory();
        AssertBadInput(Run("--count", "20", "--queries", "2", "--k", "50", "--output", dir.Path, "--cache-dir", dir.Path), "--k 50 is larger than the base");
    }

    [Fact]
    public void FashionMnistMissing_Exit2WithInstallHint()
    {
        using var dir = new TempDirectory();
        string? previous = Environment.GetEnvironmentVariable(DatasetLoader.FashionMnistDirectoryVariable);
        Environment.SetEnvironmentVariable(DatasetLoader.FashionMnistDirectoryVariable, dir.File("nowhere"));
        try
        {
            AssertBadInput(Run("--dataset", "fashion-mnist", "--output", dir.Path, "--cache-dir", dir.Path), "apt-get install dataset-fashion-mnist");
        }
        finally
        {
            Environment.SetEnvironmentVariable(DatasetLoader.FashionMnistDirectoryVariable, previous);
        }
    }

    [Fact]
    public void Help_Exit0()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("--dataset", output, StringComparison.Ordinal);
    }
}

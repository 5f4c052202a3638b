namespace NativeHnsw.Tests;

/// <summary>The README's usage example, run as written, and a check that the two have not drifted apart.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void UsageExample_Runs_WithTheResultsItShows()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            Example();
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.Equal(["1: 0.006", "4: 0.219"], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void UsageExample_MatchesReadme()
    {
        string root = RepositoryRoot();
        string testSource = File.ReadAllText(Path.Combine(root, "tests", "NativeHnsw.Tests", "ReadmeTests.cs"));
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        int start = readme.IndexOf("```csharp", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no csharp block");
        int end = readme.IndexOf("```", start + 9, StringComparison.Ordinal);
        var lines = readme[(start + 9)..end].Split('\n')
            .Select(l => l.Split("//")[0].Trim())
            .Where(l => l.Length > 0 && l != "using NativeHnsw;");
        Assert.All(lines, line => Assert.Contains(line, testSource, StringComparison.Ordinal));
    }

    private static void Example()
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = 3 }); // cosine, M=16, ef_construction=200
        index.Add(1, [1f, 0f, 0f]);
        index.Add(2, [0f, 1f, 0f]);
        index.AddRange(new long[] { 3, 4 }, new float[] { 0f, 0f, 1f, 0.7f, 0.7f, 0f }); // uses every core
        foreach (var hit in index.Search([0.9f, 0.1f, 0f], k: 2))
            Console.WriteLine($"{hit.Label}: {hit.Distance:F3}");                  // 1: 0.006, 4: 0.219
        index.MarkDeleted(4);                                                        // never returned again
        var near = index.Search([0.9f, 0.1f, 0f], k: 2, ef: 100, filter: label => label != 1);
        Assert.DoesNotContain(near, hit => hit.Label is 1 or 4);

        string path = Path.Combine(Path.GetTempPath(), "vectors.nhnsw");
        index.Save(path);                                  // atomic: temp file, fsync, rename, fsync the folder
        using var mapped = HnswIndex.Open(path);           // memory-mapped, read-only, searched in place
        using var loaded = HnswIndex.Load(path);           // in memory, every checksum verified, writable
        Assert.Equal(index.Search([0.9f, 0.1f, 0f], 3), mapped.Search([0.9f, 0.1f, 0f], 3));
        Assert.Equal(index.Search([0.9f, 0.1f, 0f], 3), loaded.Search([0.9f, 0.1f, 0f], 3));
    }

    /// <summary>
    /// The checkout this test was built from, found by walking up from the test binaries: CI builds map source paths to
    /// /_/ (ContinuousIntegrationBuild), so the compiler's file path cannot be used.
    /// </summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeHnsw.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no NativeHnsw.sln above {AppContext.BaseDirectory}");
    }
}

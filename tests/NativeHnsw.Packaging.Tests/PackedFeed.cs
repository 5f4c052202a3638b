namespace NativeHnsw.Packaging.Tests;

/// <summary>
/// The solution packed once, at a fixed test version, into a folder feed under a temp folder. Bin and obj go to a
/// temp artifacts folder too, so packing neither reuses nor overwrites the worktree's own build outputs.
/// A failed pack throws here, which fails every test that uses the feed.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public const string Version = "0.0.0-test";

    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(40);

    private readonly TempDirectory _temp = new("nhnsw-pack-");

    public PackedFeed()
    {
        RepositoryRoot = LocateRepositoryRoot();
        FeedDirectory = _temp.Combine("feed");
        PackOutput = DotnetCli.Run(
            DotnetCli.DotnetPath,
            [
                "pack", Path.Combine(RepositoryRoot, "NativeHnsw.sln"), "-c", "Release", "-o", FeedDirectory,
                "--artifacts-path", _temp.Combine("artifacts"), $"-p:Version={Version}", "-warnaserror", "-nodeReuse:false",
            ],
            RepositoryRoot,
            environment: null,
            s_packTimeout).EnsureSuccess();
    }

    public string RepositoryRoot { get; }

    public string FeedDirectory { get; }

    /// <summary>What <c>dotnet pack</c> printed (it must have succeeded to get here).</summary>
    public ProcessResult PackOutput { get; }

    /// <summary>A fresh folder for a test's own files; deleted with the feed.</summary>
    public string NewDirectory(string name)
    {
        string path = _temp.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }

    public string PackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.snupkg");

    public void Dispose() => _temp.Dispose();

    private static string LocateRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeHnsw.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"NativeHnsw.sln was not found in {AppContext.BaseDirectory} or any folder above it.");
    }
}

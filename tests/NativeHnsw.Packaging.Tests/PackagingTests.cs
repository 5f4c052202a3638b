using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NativeHnsw.Packaging.Tests;

/// <summary>
/// `dotnet pack` of the solution gives one package per library and the nhnsw tool, each with its metadata, README,
/// XML docs and symbols; the tool installs from the folder feed and runs.
/// </summary>
public sealed class PackagingTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    /// <summary>Every packable project: the src/ libraries (package id = assembly name) and the tool.</summary>
    private static readonly string[] s_libraries =
    [
        "NativeHnsw", "NativeHnsw.Interop", "NativeHnsw.Storage", "NativeHnsw.Backup", "NativeHnsw.Backup.Hosting",
        "NativeHnsw.Data", "NativeHnsw.Embeddings", "NativeHnsw.VectorData",
    ];

    private const string ToolId = "NativeHnsw.Cli";

    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromMinutes(10);

    private static IEnumerable<string> AllIds => [.. s_libraries, ToolId];

    [Fact]
    public void Pack_Solution_WritesExactlyTheLibraryAndToolPackagesWithSymbols()
    {
        var packed = Directory.GetFiles(feed.FeedDirectory, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var expected = AllIds.Select(id => $"{id}.{PackedFeed.Version}.nupkg").Order(StringComparer.Ordinal).ToArray();
        // Tests, bench and samples must not pack.
        Assert.Equal(expected, packed);

        foreach (string id in s_libraries)
        {
            using var symbols = ZipFile.OpenRead(feed.SymbolPackagePath(id));
            Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{id}.pdb");
        }
        Assert.True(File.Exists(feed.SymbolPackagePath(ToolId)), $"no symbol package for {ToolId}");
        Assert.DoesNotMatch(new Regex(@"\bwarning\b", RegexOptions.IgnoreCase), feed.PackOutput.Stdout);
    }

    [Fact]
    public void Packages_Nuspec_CarryIdLicenceReadmeRepositoryAndDescription()
    {
        foreach (string id in AllIds)
        {
            using var package = ZipFile.OpenRead(feed.PackagePath(id));
            var metadata = Nuspec(package, id);
            string Value(string name) => metadata.Element(metadata.Name.Namespace + name)?.Value ?? "";

            Assert.Equal(id, Value("id"));
            Assert.Equal(PackedFeed.Version, Value("version"));
            Assert.Equal("NativeHnsw contributors", Value("authors"));
            Assert.False(string.IsNullOrWhiteSpace(Value("description")), $"{id}: no description");
            Assert.False(string.IsNullOrWhiteSpace(Value("tags")), $"{id}: no tags");

            var license = metadata.Element(metadata.Name.Namespace + "license");
            Assert.NotNull(license);
            Assert.Equal("expression", (string?)license.Attribute("type"));
            Assert.Equal("MIT", license.Value);

            Assert.Equal("README.md", Value("readme"));
            string readme = ReadEntry(package, "README.md");
            Assert.StartsWith("# ", readme, StringComparison.Ordinal);
            Assert.Contains(id == ToolId ? "nhnsw" : id, readme, StringComparison.Ordinal);

            // SourceLink's git information: the commit the sources map to.
            var repository = metadata.Element(metadata.Name.Namespace + "repository");
            Assert.NotNull(repository);
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
        }
    }

    [Fact]
    public void Libraries_Package_HoldAssemblyXmlDocsAndProjectDependencies()
    {
        foreach (string id in s_libraries)
        {
            using var package = ZipFile.OpenRead(feed.PackagePath(id));
            var names = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains($"lib/net10.0/{id}.dll", names);
            Assert.Contains($"lib/net10.0/{id}.xml", names);
            Assert.Contains("<doc>", ReadEntry(package, $"lib/net10.0/{id}.xml"), StringComparison.Ordinal);
            // The FAISS and hnswlib shims are built from native/ and documented as separate; they must not ride along.
            // The engine's own int8 kernel (native/kernels) is NativeHnsw's, under the RID a consumer's deps.json maps.
            string[] expectedLibraries = id == "NativeHnsw" && BuildsKernels ? ["runtimes/linux-x64/native/libnhnsw_kernels.so"] : [];
            Assert.Equal(expectedLibraries, names.Where(n => n.EndsWith(".so", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        // Project references become package dependencies at the same version.
        Assert.Equal(PackedFeed.Version, DependencyVersion("NativeHnsw.Storage", "NativeHnsw"));
        Assert.Equal(PackedFeed.Version, DependencyVersion("NativeHnsw.VectorData", "NativeHnsw.Storage"));
        Assert.Equal(PackedFeed.Version, DependencyVersion("NativeHnsw.Backup.Hosting", "NativeHnsw.Backup"));
        Assert.NotNull(DependencyVersion("NativeHnsw.Interop", "Cloud.Unum.USearch"));
    }

    [Fact]
    public void Tool_Package_IsADotnetToolNamedNhnsw()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath(ToolId));
        var metadata = Nuspec(package, ToolId);
        var packageType = metadata.Descendants(metadata.Name.Namespace + "packageType").Single();
        Assert.Equal("DotnetTool", (string?)packageType.Attribute("name"));

        var settings = package.Entries.Single(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        Assert.StartsWith("tools/net10.0/any/", settings.FullName, StringComparison.Ordinal);
        var command = XDocument.Parse(ReadEntry(package, settings.FullName)).Descendants("Command").Single();
        Assert.Equal("nhnsw", (string?)command.Attribute("Name"));
        Assert.Equal("nhnsw.dll", (string?)command.Attribute("EntryPoint"));
        Assert.Contains(package.Entries, e => e.FullName == "tools/net10.0/any/nhnsw.dll");
        Assert.Contains(package.Entries, e => e.FullName == "tools/net10.0/any/NativeHnsw.dll");
        if (BuildsKernels)
            Assert.Contains(package.Entries, e => e.FullName == "tools/net10.0/any/libnhnsw_kernels.so");
    }

    /// <summary>Where native/NativeHnsw.Kernels.targets builds the int8 kernel: Linux x64 (the CI machine has cmake and gcc).</summary>
    private static bool BuildsKernels => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

    [Fact]
    public void Tool_InstalledFromFolderFeed_BuildsAndDescribesAnIndex()
    {
        string work = feed.NewDirectory("tool-" + Guid.NewGuid().ToString("N"));
        string toolPath = Path.Combine(work, "tools");
        // Only the folder feed and nuget.org, and a package folder of our own: the user's NuGet cache never sees the
        // test version.
        string config = Path.Combine(work, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local-feed" value="{feed.FeedDirectory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };

        var install = DotnetCli.Run(
            DotnetCli.DotnetPath,
            ["tool", "install", ToolId, "--version", PackedFeed.Version, "--tool-path", toolPath, "--configfile", config],
            work, environment, s_toolTimeout).EnsureSuccess();
        Assert.Contains("nhnsw", install.Stdout, StringComparison.Ordinal);

        string nhnsw = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "nhnsw.exe" : "nhnsw");
        Assert.True(File.Exists(nhnsw), $"the tool's command was not installed at {nhnsw}:\n{install.Stdout}");

        var help = DotnetCli.Run(nhnsw, ["--help"], work, environment, s_toolTimeout).EnsureSuccess();
        foreach (string command in new[] { "build", "info", "query", "backup", "restore" })
            Assert.Contains(command, help.Stdout, StringComparison.Ordinal);

        // A small seeded vector file, built into an index by the installed tool and described by it.
        const int Rows = 300, Dimensions = 8;
        string vectors = Path.Combine(work, "vectors.tsv");
        var random = new Random(20261201);
        File.WriteAllLines(vectors, Enumerable.Range(0, Rows).Select(_ =>
            string.Join('\t', Enumerable.Range(0, Dimensions).Select(_ => (random.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture)))));
        string index = Path.Combine(work, "vectors.hnsw");

        DotnetCli.Run(nhnsw, ["build", index, "--from", vectors, "--metric", "l2"], work, environment, s_toolTimeout).EnsureSuccess();
        var info = DotnetCli.Run(nhnsw, ["info", index, "--json"], work, environment, s_toolTimeout).EnsureSuccess();
        using var json = JsonDocument.Parse(info.Stdout);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(Rows, json.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(Dimensions, json.RootElement.GetProperty("dimensions").GetInt32());

        var missing = DotnetCli.Run(nhnsw, ["info", Path.Combine(work, "absent.hnsw")], work, environment, s_toolTimeout);
        Assert.NotEqual(0, missing.ExitCode);
    }

    [Fact]
    public void SourceLink_CloneWithGitHubRemote_MapsSymbolsToTheCommit()
    {
        // The worktree may have no remote; a clone given one shows what a published build records.
        string work = feed.NewDirectory("sourcelink-" + Guid.NewGuid().ToString("N"));
        string clone = Path.Combine(work, "clone");
        const string Remote = "https://github.com/example/NativeHnsw.git";
        DotnetCli.Run("git", ["clone", "--quiet", feed.RepositoryRoot, clone], work, null, s_toolTimeout).EnsureSuccess();
        DotnetCli.Run("git", ["-C", clone, "remote", "set-url", "origin", Remote], work, null, s_toolTimeout).EnsureSuccess();
        string commit = DotnetCli.Run("git", ["-C", clone, "rev-parse", "HEAD"], work, null, s_toolTimeout).EnsureSuccess().Stdout.Trim();

        string output = Path.Combine(work, "feed");
        DotnetCli.Run(
            DotnetCli.DotnetPath,
            [
                "pack", Path.Combine(clone, "src", "NativeHnsw", "NativeHnsw.csproj"), "-c", "Release", "-o", output,
                "--artifacts-path", Path.Combine(work, "artifacts"), $"-p:Version={PackedFeed.Version}", "-warnaserror", "-nodeReuse:false",
            ],
            clone, null, s_toolTimeout).EnsureSuccess();

        using (var package = ZipFile.OpenRead(Path.Combine(output, $"NativeHnsw.{PackedFeed.Version}.nupkg")))
        {
            var repository = Nuspec(package, "NativeHnsw").Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal(Remote, (string?)repository.Attribute("url"));
            Assert.Equal(commit, (string?)repository.Attribute("commit"));
        }

        using var symbols = ZipFile.OpenRead(Path.Combine(output, $"NativeHnsw.{PackedFeed.Version}.snupkg"));
        using var pdb = new MemoryStream();
        using (var entry = symbols.GetEntry("lib/net10.0/NativeHnsw.pdb")!.Open())
            entry.CopyTo(pdb);
        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        string json = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == sourceLinkKind)
            .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
            .Single();
        using var sourceLink = JsonDocument.Parse(json);
        var urls = sourceLink.RootElement.GetProperty("documents").EnumerateObject().Select(p => p.Value.GetString()).ToList();
        Assert.Contains($"https://raw.githubusercontent.com/example/NativeHnsw/{commit}/*", urls);
    }

    private string? DependencyVersion(string id, string dependency)
    {
        using var package = ZipFile.OpenRead(feed.PackagePath(id));
        var metadata = Nuspec(package, id);
        return metadata.Descendants(metadata.Name.Namespace + "dependency")
            .Where(d => (string?)d.Attribute("id") == dependency)
            .Select(d => (string?)d.Attribute("version"))
            .SingleOrDefault();
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        var document = XDocument.Parse(ReadEntry(package, id + ".nuspec"));
        return document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string ReadEntry(ZipArchive package, string name)
    {
        var entry = package.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"the package has no {name}: {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}

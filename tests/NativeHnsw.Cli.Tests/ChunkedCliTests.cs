using System.Text.Json;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw backup INDEX --incremental</c> (chunks), <c>--chunked</c> for a store, and prune's chunk collection.</summary>
public sealed class ChunkedCliTests
{
    [Fact]
    public void IndexIncremental_StoresChunksOnce_RestoresAndPrunes()
    {
        using var dir = new TempDirectory();
        string live = dir.File("live.hnsw");
        string backups = dir.File("backups");
        using (var index = TestIndexes.Build(3000, seed: 1))
            index.Save(live);
        byte[] first = File.ReadAllBytes(live);

        var a = CliTests.Run("backup", live, "--target", backups, "--incremental", "--json");
        var b = CliTests.Run("backup", live, "--target", backups, "--incremental");

        Assert.True(a.Code == 0, a.Err);
        var manifest = JsonDocument.Parse(a.Out).RootElement.GetProperty("manifest");
        Assert.Equal(BackupManifest.CurrentFormatVersion, manifest.GetProperty("formatVersion").GetInt32());
        Assert.True(manifest.GetProperty("files")[0].GetProperty("chunks").GetArrayLength() > 1);
        Assert.True(b.Code == 0, b.Err);
        Assert.Contains("0 B stored new", b.Out, StringComparison.Ordinal);
        string restored = dir.File("restored.hnsw");
        var restore = CliTests.Run("restore", "--target", backups, "--to", restored);
        Assert.True(restore.Code == 0, restore.Err);
        Assert.Equal(first, File.ReadAllBytes(restored));
        var prune = CliTests.Run("prune", "--target", backups, "--daily", "1", "--weekly", "0", "--monthly", "0");
        Assert.True(prune.Code == 0, prune.Err);
        Assert.Contains("chunks:", prune.Out, StringComparison.Ordinal);
        Assert.Contains("0 unreferenced", prune.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_TemporaryFileAKillLeft_CountedInTextAndJson()
    {
        using var dir = new TempDirectory();
        string live = dir.File("live.hnsw");
        string backups = dir.File("backups");
        using (var index = TestIndexes.Build(1000, seed: 3))
            index.Save(live);
        Assert.Equal(0, CliTests.Run("backup", live, "--target", backups, "--incremental").Code);
        // What a writer killed between a chunk's write and its rename leaves, written long before any lease.
        string leftover = Path.Combine(backups, ".chunks", "ab", new string('a', 64) + ".0badf00d.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        File.WriteAllBytes(leftover, new byte[1000]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-3));
        string[] prune = ["prune", "--target", backups, "--daily", "1", "--weekly", "0", "--monthly", "0"];

        var dry = CliTests.Run([.. prune, "--dry-run", "--json"]);
        var text = CliTests.Run(prune);

        Assert.True(dry.Code == 0, dry.Err);
        var chunks = JsonDocument.Parse(dry.Out).RootElement.GetProperty("chunks");
        Assert.Equal(1, chunks.GetProperty("temporaryFiles").GetInt32());
        Assert.Equal(0, chunks.GetProperty("orphanPacks").GetInt32());
        Assert.True(text.Code == 0, text.Err);
        Assert.Contains("0 unreferenced, 0 orphan pack(s) and 1 temporary file(s)", text.Out, StringComparison.Ordinal);
        Assert.Contains("deleted", text.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void ChunkedOnAnIndexFile_Exit2()
    {
        using var dir = new TempDirectory();
        string live = dir.File("live.hnsw");
        using (var index = TestIndexes.Build(50, seed: 2))
            index.Save(live);

        var result = CliTests.Run("backup", live, "--target", dir.File("backups"), "--chunked");

        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains("--chunked applies to a store folder", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreChunked_BacksUpAsChunks_Restores()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        string backups = dir.File("backups");
        using (var client = new NativeHnsw.Storage.PersistentClient(store))
            TestStores.Fill(client.GetOrCreateCollection("docs", new NativeHnsw.Storage.CollectionOptions { Dimensions = 4 }), 300, seed: 5);

        var backup = CliTests.Run("backup", store, "--target", backups, "--chunked", "--json");
        var restore = CliTests.Run("restore", "--target", backups, "--to", dir.File("restored"));

        Assert.True(backup.Code == 0, backup.Err);
        var files = JsonDocument.Parse(backup.Out).RootElement.GetProperty("manifest").GetProperty("files").EnumerateArray().ToList();
        Assert.Contains(files, f => f.GetProperty("role").GetString() == "database" && f.TryGetProperty("chunks", out _));
        Assert.True(restore.Code == 0, restore.Err);
        using var restored = new NativeHnsw.Storage.PersistentClient(dir.File("restored"));
        Assert.Equal(300, restored.GetCollection("docs").Count());
    }
}

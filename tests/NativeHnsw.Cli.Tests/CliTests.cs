using System.Text.Json;
using NativeHnsw.Cli;

namespace NativeHnsw.Cli.Tests;

/// <summary>The real entry point, in-process: exit codes 0 / 1 / 2, and <c>--json</c> output that parses.</summary>
public sealed class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NhnswCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertBadUsage((int Code, string Out, string Err) result, string expected)
    {
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_Exit2() => AssertBadUsage(Run("frobnicate"), "frobnicate");

    [Fact]
    public void MissingTarget_Exit2() => AssertBadUsage(Run("backups"), "--target");

    [Fact]
    public void MissingIndexFile_Exit2() => AssertBadUsage(Run("info", "/nonexistent/x.hnsw"), "does not exist");

    [Fact]
    public void BadBefore_Exit2()
    {
        using var dir = new TempDirectory();
        AssertBadUsage(Run("restore", "--target", dir.Path, "--to", dir.File("x.hnsw"), "--before", "yesterday"), "--before 'yesterday'");
    }

    [Fact]
    public void PruneAllZero_Exit2()
    {
        using var dir = new TempDirectory();
        AssertBadUsage(Run("prune", "--target", dir.Path, "--daily", "0", "--weekly", "0", "--monthly", "0"), "cannot all be 0");
    }

    [Fact]
    public void FullSession_BuildBackupRestoreDrillPrune_JsonParses()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("v.csv"), ["a,b,c,d", .. Enumerable.Range(0, 200).Select(i => FormattableString.Invariant($"{i % 7},{i % 11},{(i % 13) + 1},{i % 3}"))]);
        string index = dir.File("docs.hnsw");
        string backups = dir.File("backups");

        var build = Run("build", index, "--from", dir.File("v.csv"), "--metric", "l2", "--json");
        Assert.Equal(0, build.Code);
        Assert.Equal(200, JsonDocument.Parse(build.Out).RootElement.GetProperty("count").GetInt32());

        var info = Run("info", index, "--json");
        Assert.Equal(0, info.Code);
        Assert.Equal(4, JsonDocument.Parse(info.Out).RootElement.GetProperty("dimensions").GetInt32());

        Assert.Equal(0, Run("verify", index).Code);

        var query = Run("query", index, "--vector", "1,2,3,0", "--k", "3", "--json");
        Assert.Equal(0, query.Code);
        Assert.Equal(3, JsonDocument.Parse(query.Out).RootElement.GetProperty("results").GetArrayLength());

        var backup = Run("backup", index, "--target", backups, "--json");
        Assert.Equal(0, backup.Code);
        string id = JsonDocument.Parse(backup.Out).RootElement.GetProperty("manifest").GetProperty("id").GetString()!;

        var list = Run("backups", "--target", backups, "--json");
        Assert.Equal(0, list.Code);
        Assert.Equal(id, JsonDocument.Parse(list.Out).RootElement.GetProperty("backups")[0].GetProperty("id").GetString());

        var dry = Run("restore", "--target", backups, "--to", index, "--dry-run", "--json");
        Assert.Equal(0, dry.Code);
        Assert.False(JsonDocument.Parse(dry.Out).RootElement.GetProperty("switched").GetBoolean());

        var restore = Run("restore", "--target", backups, "--to", dir.File("restored.hnsw"), "--id", id);
        Assert.Equal(0, restore.Code);
        Assert.Equal(File.ReadAllBytes(index), File.ReadAllBytes(dir.File("restored.hnsw")));

        var drill = Run("drill", "--target", backups, "--scratch", dir.File("scratch"), "--json");
        Assert.Equal(0, drill.Code);
        Assert.Equal("load", JsonDocument.Parse(drill.Out).RootElement.GetProperty("steps")[7].GetProperty("name").GetString());

        var prune = Run("prune", "--target", backups, "--dry-run", "--json");
        Assert.Equal(0, prune.Code);
        Assert.Equal(0, JsonDocument.Parse(prune.Out).RootElement.GetProperty("pruned").GetArrayLength());

        // A tampered backup: exit 1, the message names the backup, --json reports it, the live file stays.
        string stored = Path.Combine(backups, id, "index.hnsw");
        byte[] bytes = File.ReadAllBytes(stored);
        bytes[100] ^= 1;
        File.WriteAllBytes(stored, bytes);
        byte[] live = File.ReadAllBytes(index);
        var bad = Run("restore", "--target", backups, "--to", index, "--json");
        Assert.Equal(NhnswCli.Failed, bad.Code);
        Assert.Contains(id, bad.Err, StringComparison.Ordinal);
        var error = JsonDocument.Parse(bad.Out).RootElement;
        Assert.False(error.GetProperty("ok").GetBoolean());
        Assert.Equal(id, error.GetProperty("backupId").GetString());
        Assert.Equal("integrity", error.GetProperty("errorKind").GetString());
        Assert.Equal(live, File.ReadAllBytes(index));
    }

    [Fact]
    public void Verify_DamagedFile_Exit1()
    {
        using var dir = new TempDirectory();
        string path = TestIndexes.Save(dir, "x.hnsw", 50, seed: 1);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^20] ^= 1;
        File.WriteAllBytes(path, bytes);

        var result = Run("verify", path);

        Assert.Equal(NhnswCli.Failed, result.Code);
        Assert.Contains("x.hnsw", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void BackupStoreFolder_RestoreAndDrill_Json()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        using (var client = new NativeHnsw.Storage.PersistentClient(store))
            TestStores.Fill(client.GetOrCreateCollection("docs", new NativeHnsw.Storage.CollectionOptions { Dimensions = 4 }), 30, seed: 5);
        string backups = dir.File("backups");

        var backup = Run("backup", store, "--target", backups, "--json");
        Assert.Equal(0, backup.Code);
        using (var json = JsonDocument.Parse(backup.Out))
            Assert.Equal("store", json.RootElement.GetProperty("manifest").GetProperty("sourceKind").GetString());

        var restore = Run("restore", "--target", backups, "--to", store, "--json");
        Assert.Equal(0, restore.Code);
        using (var json = JsonDocument.Parse(restore.Out))
            Assert.True(json.RootElement.GetProperty("switched").GetBoolean());
        var drill = Run("drill", "--target", backups, "--scratch", dir.File("scratch"));
        Assert.Equal(0, drill.Code);
        // The drill's time in the unit every other command uses (DurationText: "4.25 ms", "1.3 s"), not a fixed "0.004 s".
        Assert.Matches(@"drill passed: \S+ restores in \d+(\.\d{1,2})? (ms|s|min)\b", drill.Out);
    }

    [Theory]
    [InlineData("backups")]
    [InlineData("prune")]
    [InlineData("restore")]
    [InlineData("drill")]
    public void TargetFolderDoesNotExist_Exit2(string command)
    {
        using var dir = new TempDirectory();
        string[] extra = command == "restore" ? ["--to", dir.File("live.hnsw")] : [];

        var result = Run([command, "--target", dir.File("no-such-folder"), .. extra]);

        AssertBadUsage(result, "does not exist");
        Assert.False(Directory.Exists(dir.File("no-such-folder")));
    }

    [Fact]
    public void Backups_DamagedBrokenChainAndPartial_ShownWithReasons_Exit1()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        string backups = dir.File("backups");
        using (var client = new NativeHnsw.Storage.PersistentClient(store))
            TestStores.Fill(client.GetOrCreateCollection("docs", new NativeHnsw.Storage.CollectionOptions { Dimensions = 4 }), 30, seed: 5);
        string full = BackupId(Run("backup", store, "--target", backups, "--json"));
        string incremental = BackupId(Run("backup", store, "--target", backups, "--incremental", "--json"));
        const string partialId = "20250101T000000000Z-abcdef";
        Directory.CreateDirectory(Path.Combine(backups, partialId));
        File.WriteAllText(Path.Combine(backups, partialId, "store.db"), "half");
        File.Delete(Path.Combine(backups, full, "store.db"));

        var text = Run("backups", "--target", backups);
        var json = Run("backups", "--target", backups, "--json");

        Assert.Equal(NhnswCli.Failed, text.Code);
        Assert.Contains("damaged", text.Out, StringComparison.Ordinal);
        Assert.Contains("file 'store.db' is missing", text.Out, StringComparison.Ordinal);
        Assert.Contains("broken chain", text.Out, StringComparison.Ordinal);
        Assert.Contains("partial", text.Out, StringComparison.Ordinal);
        Assert.Equal(NhnswCli.Failed, json.Code);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.False(root.GetProperty("ok").GetBoolean());
        var states = root.GetProperty("backups").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("state").GetString());
        Assert.Equal("damaged", states[full]);
        Assert.Equal("broken chain", states[incremental]);
        var partial = Assert.Single(root.GetProperty("problems").EnumerateArray());
        Assert.Equal(partialId, partial.GetProperty("backupId").GetString());
        Assert.Equal("partial", partial.GetProperty("state").GetString());
    }

    [Fact]
    public void Backups_StoreRow_ShowsDimensionsAndMetric()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        using (var client = new NativeHnsw.Storage.PersistentClient(store))
        {
            TestStores.Fill(client.GetOrCreateCollection("docs", new NativeHnsw.Storage.CollectionOptions { Dimensions = 4 }), 10, seed: 5);
            TestStores.Fill(client.GetOrCreateCollection("more", new NativeHnsw.Storage.CollectionOptions { Dimensions = 7, Metric = DistanceMetric.L2 }), 10, seed: 6);
        }
        Assert.Equal(0, Run("backup", store, "--target", dir.File("backups")).Code);

        var text = Run("backups", "--target", dir.File("backups"));
        var json = Run("backups", "--target", dir.File("backups"), "--json");

        Assert.Equal(0, text.Code);
        var row = text.Out.Split('\n').Single(l => l.Contains(store, StringComparison.Ordinal));
        Assert.Contains("4, 7", row, StringComparison.Ordinal);
        Assert.Contains("Cosine, L2", row, StringComparison.Ordinal);
        var shapes = JsonDocument.Parse(json.Out).RootElement.GetProperty("backups")[0].GetProperty("collectionShapes");
        Assert.Equal([4, 7], shapes.EnumerateArray().Select(c => c.GetProperty("dimensions").GetInt32()).Order());
    }

    private static string BackupId((int Code, string Out, string Err) result)
    {
        Assert.True(result.Code == 0, result.Err);
        return JsonDocument.Parse(result.Out).RootElement.GetProperty("manifest").GetProperty("id").GetString()!;
    }
}

using System.Globalization;
using System.Text.Json;
using NativeHnsw.Backup.Tests;
using NativeHnsw.Storage;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw replicate --once</c> and <c>nhnsw restore --seq/--at</c>, in-process, with their JSON and bad usage.</summary>
public sealed class ReplicateCliTests
{
    [Fact]
    public void ReplicateOnce_ThenRestoreBySequenceAndTime_GiveThoseStates()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store"), target = dir.File("bk");
        using (var client = new PersistentClient(store))
            TestStores.Fill(client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 }), 20, seed: 1);
        var first = CliTests.Run("replicate", store, "--target", target, "--once", "--json");
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("\"snapshot\"", first.Out, StringComparison.Ordinal);

        using (var client = new PersistentClient(store))
            client.GetCollection("docs").Delete(["r0", "r1"]);
        var second = CliTests.Run("replicate", store, "--target", target, "--once", "--json");
        Assert.Equal(0, second.Code);
        var summary = JsonDocument.Parse(second.Out[Math.Max(0, second.Out.LastIndexOf("\n{", StringComparison.Ordinal))..]).RootElement; // the summary is the last document
        Assert.Equal(1, summary.GetProperty("commits").GetInt64());
        long last = summary.GetProperty("lastShipped").GetInt64();

        var before = CliTests.Run("restore", "--target", target, "--to", dir.File("before"), "--seq", (last - 1).ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(before.Code == 0, before.Err);
        var after = CliTests.Run("restore", "--target", target, "--to", dir.File("after"), "--at", DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture));
        Assert.True(after.Code == 0, after.Err);
        Assert.Contains("nothing was shipped after", after.Out, StringComparison.Ordinal);
        using (var client = new PersistentClient(dir.File("before")))
            Assert.Equal(20, client.GetCollection("docs").Count());
        using (var client = new PersistentClient(dir.File("after")))
            Assert.Equal(18, client.GetCollection("docs").Count());

        var occupied = CliTests.Run("restore", "--target", target, "--to", dir.File("after"), "--seq", "1", "--json");
        Assert.Equal(NhnswCli.Failed, occupied.Code);
        Assert.Equal("destination", JsonDocument.Parse(occupied.Out).RootElement.GetProperty("errorKind").GetString());
    }

    [Theory]
    [InlineData("--every", "0s", "--every '0s' is not a positive duration")]
    [InlineData("--every", "soon", "--every 'soon' is not a positive duration")]
    [InlineData("--load", "10", "--load measures for a fixed time")]
    public void Replicate_BadOptions_Exit2(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        using (new PersistentClient(dir.File("store")))
        {
        }
        var result = CliTests.Run("replicate", dir.File("store"), "--target", dir.File("bk"), option, value);
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_AtWithId_Exit2()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("bk"));
        var result = CliTests.Run("restore", "--target", dir.File("bk"), "--to", dir.File("r"), "--at", "2026-12-01T10:15:00Z", "--id", "x");
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains("do not combine with --id", result.Err, StringComparison.Ordinal);
    }
}

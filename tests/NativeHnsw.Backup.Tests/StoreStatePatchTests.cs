using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>Store incrementals carry a state patch whose size follows the change, and chain on it.</summary>
public sealed class StoreStatePatchTests
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void Incremental_StateCostsTheChange_AndChainsRestoreExactly()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var random = new Random(3);
        Dictionary<string, List<string>> expected;
        BackupManifest full, unchanged, changed, last;
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            TestStores.Fill(docs, 3000, seed: 2);
            full = StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_day });
            unchanged = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_day.AddHours(1) });
            var ids = Enumerable.Range(0, 30).Select(i => "r" + (i * 100)).ToList();
            docs.Upsert(ids, [.. ids.Select(_ => TestStores.Vector(random, 4))]);
            changed = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_day.AddHours(2) });
            docs.Delete(["r1", "r2"]);
            client.GetOrCreateCollection("extra", new CollectionOptions { Dimensions = 2 }).Add(["x"], [[1, 2]]);
            last = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_day.AddHours(3) });
            expected = StoreBackupTests.Everything(client);
        }

        long wholeState = full.Files.Single(f => f.Role == "state").Length;
        long unchangedPatch = unchanged.Files.Single(f => f.Role == "state-patch").Length;
        long changedPatch = changed.Files.Single(f => f.Role == "state-patch").Length;
        Assert.DoesNotContain(changed.Files, f => f.Role == "state");
        Assert.True(unchangedPatch < 200, $"unchanged: {unchangedPatch} bytes (whole state {wholeState})");
        Assert.InRange(changedPatch, 30 * 40, 30 * 80);
        Assert.True(changedPatch * 20 < wholeState, $"1 % changed: {changedPatch} bytes, whole state {wholeState}");
        var report = StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));
        Assert.Equal(4, report.Chain.Count);
        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }
}

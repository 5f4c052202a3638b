using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>A catalog loaded through a manifest cache reads each manifest once, yet always lists the target afresh.</summary>
public sealed class ManifestCacheTests
{
    private static readonly DateTimeOffset s_origin = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void Load_Twice_ReadsEachManifestOnce_AndGivesTheSameCatalog()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        for (int i = 0; i < 3; i++)
            IndexBackup.BackupFile(TestIndexes.Save(dir, $"i{i}.hnsw", 20, seed: i), target, new BackupOptions { CreatedUtc = s_origin.AddHours(i) });
        var cache = new ManifestCache(target);

        var first = BackupCatalog.Load(target, cache);
        var second = BackupCatalog.Load(target, cache);

        Assert.Equal(3, cache.Reads);
        Assert.Equal(3, cache.Count);
        Assert.Equal(BackupCatalog.Load(target).Backups.Select(m => (m.Id, m.CreatedUtc, m.Files.Count)), second.Backups.Select(m => (m.Id, m.CreatedUtc, m.Files.Count)));
        Assert.Equal(first.Backups, second.Backups);
    }

    [Fact]
    public void Load_AfterOthersWriteAndDelete_SeesTheTargetAsItIsNow()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 20, seed: 1), target, new BackupOptions { CreatedUtc = s_origin });
        var b = IndexBackup.BackupFile(TestIndexes.Save(dir, "b.hnsw", 20, seed: 2), target, new BackupOptions { CreatedUtc = s_origin.AddHours(1) });
        var cache = new ManifestCache(target);
        BackupCatalog.Load(target, cache);

        // Another writer (another target object on the same folder, as another process would be).
        var other = new LocalFolderTarget(dir.File("backups"));
        other.Delete(a.Id);
        var c = IndexBackup.BackupFile(TestIndexes.Save(dir, "c.hnsw", 20, seed: 3), other, new BackupOptions { CreatedUtc = s_origin.AddHours(2) });
        var now = BackupCatalog.Load(target, cache);

        Assert.Equal([b.Id, c.Id], now.Backups.Select(m => m.Id));
        Assert.Equal(3, cache.Reads);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Load_PartialBackup_IsAProblem_NotCached()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 20, seed: 1), target, new BackupOptions { CreatedUtc = s_origin });
        File.Delete(Path.Combine(target.Root, a.Id, BackupManifest.FileName));
        var cache = new ManifestCache(target);

        var catalog = BackupCatalog.Load(target, cache);

        Assert.Empty(catalog.Backups);
        Assert.Equal([a.Id], catalog.PartialIds);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Load_CacheOfAnotherTarget_IsRefusedNamingBoth()
    {
        using var dir = new TempDirectory();
        var one = new LocalFolderTarget(dir.File("one"));
        var two = new LocalFolderTarget(dir.File("two"));

        var e = Assert.Throws<ArgumentException>(() => BackupCatalog.Load(two, new ManifestCache(one)));

        Assert.Contains(one.Root, e.Message, StringComparison.Ordinal);
        Assert.Contains(two.Root, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackupIncremental_FromACachedCatalog_ChainsToTheNewestAndRestores()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var cache = new ManifestCache(target);
        using var client = new PersistentClient(dir.File("store"), s_quiet);
        var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
        TestStores.Fill(docs, 30, seed: 3);
        var full = StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_origin });
        docs.Delete(["r1"]);
        var first = StoreBackup.BackupIncremental(client, BackupCatalog.Load(target, cache), options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(1) });
        docs.Delete(["r2"]);
        var second = StoreBackup.BackupIncremental(client, BackupCatalog.Load(target, cache), options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(2) });

        Assert.Equal(full.Id, first.Parent);
        Assert.Equal(first.Id, second.Parent);
        // Each manifest read once: the full and the first incremental, each on the load after it was written.
        Assert.Equal(2, cache.Reads);
        StoreRestore.Restore(target, BackupSelector.ById(second.Id), dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(28, restored.GetCollection("docs").Count());
    }
}

using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// A catalog loaded through a manifest cache reads each manifest once, and lists the target again whenever its change
/// marker moved, so it always shows the target as it is now.
/// </summary>
public sealed class ManifestCacheTests
{
    private static readonly DateTimeOffset s_origin = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    /// <summary>A backup into <paramref name="target"/> of a 20-vector test index saved as <paramref name="name"/>, taken <paramref name="hours"/> after the origin.</summary>
    private static BackupManifest BackUp(TempDirectory dir, IBackupTarget target, string name, int seed, int hours) =>
        IndexBackup.BackupFile(TestIndexes.Save(dir, name, 20, seed: seed), target, new BackupOptions { CreatedUtc = s_origin.AddHours(hours) });

    [Fact]
    public void Load_Twice_ReadsEachManifestOnce_AndGivesTheSameCatalog()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        for (int i = 0; i < 3; i++)
            BackUp(dir, target, $"i{i}.hnsw", seed: i, hours: i);
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
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
        var b = BackUp(dir, target, "b.hnsw", seed: 2, hours: 1);
        var cache = new ManifestCache(target);
        BackupCatalog.Load(target, cache);

        // Another writer (another target object on the same folder, as another process would be).
        var other = new LocalFolderTarget(dir.File("backups"));
        other.Delete(a.Id);
        var c = BackUp(dir, other, "c.hnsw", seed: 3, hours: 2);
        var now = BackupCatalog.Load(target, cache);

        Assert.Equal([b.Id, c.Id], now.Backups.Select(m => m.Id));
        Assert.Equal(3, cache.Reads);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Load_Unchanged_ListsTheTargetOnce()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
        var cache = new ManifestCache(target);

        var first = BackupCatalog.Load(target, cache);
        var second = BackupCatalog.Load(new LocalFolderTarget(dir.File("backups")), cache);

        Assert.Equal(1, cache.Listings);
        Assert.Equal([a.Id], second.Backups.Select(m => m.Id));
        Assert.Equal(first.Backups, second.Backups);
        Assert.Empty(second.Problems);
    }

    [Fact]
    public void Load_AfterAnotherWriterWithinOneClockTick_SeesItsBackup()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
        var cache = new ManifestCache(target);
        BackupCatalog.Load(target, cache);
        var written = Directory.GetLastWriteTimeUtc(target.Root);

        // Another process commits one and deletes the other; the root's write time is put back, as when both land in the
        // file system clock's tick of the listing: the folders' names still tell.
        var other = new LocalFolderTarget(dir.File("backups"));
        var b = BackUp(dir, other, "b.hnsw", seed: 2, hours: 1);
        Directory.SetLastWriteTimeUtc(target.Root, written);
        Assert.Equal([a.Id, b.Id], BackupCatalog.Load(target, cache).Backups.Select(m => m.Id));
        other.Delete(a.Id);
        Directory.SetLastWriteTimeUtc(target.Root, written);
        Assert.Equal([b.Id], BackupCatalog.Load(target, cache).Backups.Select(m => m.Id));
        Assert.Equal(3, cache.Listings);
    }

    [Fact]
    public void Load_AfterABackupFolderRemovedByHand_SeesItGone()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
        var b = BackUp(dir, target, "b.hnsw", seed: 2, hours: 1);
        var cache = new ManifestCache(target);
        BackupCatalog.Load(target, cache);

        Directory.Delete(Path.Combine(target.Root, a.Id), recursive: true);

        Assert.Equal([b.Id], BackupCatalog.Load(target, cache).Backups.Select(m => m.Id));
        Assert.Equal(2, cache.Listings);
    }

    [Fact]
    public void Load_WhileAPartialBackupIsListed_ListsEveryTime_AndSeesItComplete()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
        string manifest = Path.Combine(target.Root, a.Id, BackupManifest.FileName);
        string aside = dir.File("manifest.json");
        File.Move(manifest, aside);
        var cache = new ManifestCache(target);
        Assert.Equal([a.Id], BackupCatalog.Load(target, cache).PartialIds);

        // A hand copy finishing: the manifest lands inside the folder, which changes no folder's name.
        File.Move(aside, manifest);
        var now = BackupCatalog.Load(target, cache);

        Assert.Equal([a.Id], now.Backups.Select(m => m.Id));
        Assert.Empty(now.PartialIds);
        Assert.Equal(2, cache.Listings);
    }

    [Fact]
    public void Load_PartialBackup_IsAProblem_NotCached()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var a = BackUp(dir, target, "a.hnsw", seed: 1, hours: 0);
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

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>One target holding several sources: an incremental chains to its own store, and retention counts each source on its own.</summary>
public sealed class SeriesPerSourceTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 5, 3, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Incremental_WithoutParent_ChainsToTheNewestBackupOfTheSameStore_NotAnotherStoresNewer()
    {
        var target = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("t")).FullName);
        TestSources.AddToStore(_dir.File("a"), 0, 20);
        TestSources.AddToStore(_dir.File("b"), 100, 20);
        var fullA = StoreBackup.Backup(_dir.File("a"), target, new BackupOptions { CreatedUtc = s_start });
        var fullB = StoreBackup.Backup(_dir.File("b"), target, new BackupOptions { CreatedUtc = s_start.AddMinutes(1) });
        TestSources.AddToStore(_dir.File("a"), 20, 3);

        var incremental = StoreBackup.BackupIncremental(_dir.File("a") + Path.DirectorySeparatorChar, target, options: new BackupOptions { CreatedUtc = s_start.AddMinutes(2) });

        Assert.Equal(fullA.Id, incremental.Parent);
        Assert.NotEqual(fullB.Id, incremental.Parent);
        // The chain restores store a: its 23 records (restore checks the counts against the manifest).
        Assert.Equal(23, incremental.Store!.Collections.Single().Records);
        StoreRestore.Restore(target, BackupSelector.ById(incremental.Id), _dir.File("restored"));
        // A store with no backup of its own in the target has nothing to chain to, however many others there are.
        TestSources.AddToStore(_dir.File("c"), 0, 5);
        var ex = Assert.Throws<BackupChainException>(() => StoreBackup.BackupIncremental(_dir.File("c"), target));
        Assert.Contains(Path.GetFullPath(_dir.File("c")), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_PlansEachSourceAsItsOwnSeries()
    {
        var target = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("t")).FullName);
        string busy = TestSources.SaveIndex(_dir.File("busy.hnsw"), count: 40, dimensions: 4);
        string quiet = TestSources.SaveIndex(_dir.File("quiet.hnsw"), count: 40, dimensions: 4, seed: 9);
        var quietOnly = IndexBackup.BackupFile(quiet, target, new BackupOptions { CreatedUtc = s_start });
        for (int day = 0; day < 10; day++)
            IndexBackup.BackupFile(busy, target, new BackupOptions { CreatedUtc = s_start.AddDays(day).AddHours(1) });

        var report = BackupPruner.Prune(target, new RetentionPolicy(3, 0, 0), dryRun: false);

        var left = BackupCatalog.Load(target).Backups;
        // One series would keep the busy index's 3 newest days and delete the quiet index's only backup.
        Assert.Contains(left, b => b.Id == quietOnly.Id);
        var busyLeft = left.Where(b => b.Source == Path.GetFullPath(busy)).ToList();
        Assert.Equal(3, busyLeft.Count);
        Assert.All(busyLeft, b => Assert.True(b.CreatedUtc >= s_start.AddDays(7)));
        Assert.Equal(7, report.Deleted.Count);
        Assert.Equal(4, report.Plan.Kept.Count);
        Assert.True(report.Plan.Kept.Zip(report.Plan.Kept.Skip(1)).All(p => Retention.Compare(p.First.Backup, p.Second.Backup) < 0), "kept is oldest first");

        // Pruning again changes nothing (the per-source plan is idempotent too).
        Assert.Empty(BackupPruner.Prune(target, new RetentionPolicy(3, 0, 0), dryRun: false).Deleted);
    }
}

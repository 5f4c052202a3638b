using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>A plain restore makes a store nothing ships: the backup's change-shipping state is not carried over.</summary>
public sealed class StoreRestoreChangeFeedTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void Restore_OfBackupTakenWhileShipping_DoesNotKeepLogging()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        var target = new LocalFolderTarget(dir.File("target"));
        using (var client = new PersistentClient(store, s_quiet))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            using (var feed = ChangeFeed.Open(store))
                feed.Enable();
            for (int i = 0; i < 20; i++)
                docs.Add($"r{i}", [i, 1, 2, 3], $"doc {i}");
            StoreBackup.Backup(client, target);
        }
        // The backup holds the shipping state: the log and its watermark.
        var before = ChangeFeed.ReadPosition(store);
        Assert.True(before.Enabled);
        Assert.True(before.Sequence > 0);

        string restored = dir.File("restored");
        StoreRestore.Restore(target, BackupSelector.Latest, restored);

        Assert.Equal(new ChangeFeedPosition(false, 0, null), ChangeFeed.ReadPosition(restored));
        using (var client = new PersistentClient(restored, s_quiet))
        {
            var docs = client.GetCollection("docs");
            Assert.Equal(20, docs.Count());
            for (int i = 20; i < 30; i++)
                docs.Add($"r{i}", [i, 1, 2, 3], $"doc {i}");
        }
        Assert.Equal(new ChangeFeedPosition(false, 0, null), ChangeFeed.ReadPosition(restored));
        // The live store, still shipping, logged the same writes: the check above could fail.
        using (var client = new PersistentClient(store, s_quiet))
            client.GetCollection("docs").Add("r99", [9, 1, 2, 3], "doc 99");
        Assert.True(ChangeFeed.ReadPosition(store).Sequence > before.Sequence);
    }
}

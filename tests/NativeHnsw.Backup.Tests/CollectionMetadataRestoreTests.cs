using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// A collection's own metadata (given at creation or by <see cref="Collection.Modify"/>) comes back from an incremental
/// restore and from a point-in-time restore as it was at the backup or the moment, not as it was at the full backup.
/// </summary>
public sealed class CollectionMetadataRestoreTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null, EveryChanges = 40 }, Log = _ => { } };

    private static Dictionary<string, object?> Meta(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static void ChangeMetadata(PersistentClient client)
    {
        client.GetCollection("docs").Modify(metadata: Meta(("owner", "bob"), ("version", 2L), ("ratio", 0.5)));
        client.GetCollection("old").Modify(name: "renamed", metadata: Meta(("flag", true)));
        client.CreateCollection("later", new CollectionOptions { Dimensions = 3 }, Meta(("made", "after the full backup")));
    }

    private static void Seed(PersistentClient client)
    {
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 }, Meta(("owner", "alice"), ("version", 1L)));
        TestStores.Fill(docs, 30, seed: 3);
        client.CreateCollection("old", new CollectionOptions { Dimensions = 2 }, Meta(("flag", false)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IncrementalRestore_HoldsTheCollectionMetadataOfTheIncremental(bool chunked)
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var origin = ShippingTests.Origin;
        string expected;
        string atFull;
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
        {
            Seed(client);
            StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = origin, Chunked = chunked });
            atFull = StoreDump.Describe(StoreDump.Of(client));
            ChangeMetadata(client);
            var incremental = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = origin.AddHours(1), Chunked = chunked });
            Assert.Equal(BackupKind.Incremental, incremental.Kind);
            expected = StoreDump.Describe(StoreDump.Of(client));
        }
        Assert.NotEqual(atFull, expected);

        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));

        Assert.Equal(expected, StoreDump.Describe(StoreDump.Of(dir.File("restored"))));
    }

    [Fact]
    public void PointInTimeRestore_HoldsTheCollectionMetadataOfTheMoment()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(ShippingTests.Origin);
        string store = dir.File("store");
        string before, after;
        DateTimeOffset beforeAt, afterAt;
        using (var client = new PersistentClient(store, ShippingTests.Writer(time)))
        using (var shipper = new ChangeShipper(store, target, ShippingTests.Shipper(time)))
        {
            Seed(client);
            ShippingTests.Ship(shipper); // the base snapshot holds the first metadata
            time.Advance(TimeSpan.FromSeconds(1));
            client.GetCollection("docs").Upsert("x", [1f, 2f, 3f, 4f]);
            beforeAt = time.GetUtcNow();
            before = StoreDump.Describe(StoreDump.Of(client));
            time.Advance(TimeSpan.FromSeconds(1));
            ChangeMetadata(client);
            afterAt = time.GetUtcNow();
            after = StoreDump.Describe(StoreDump.Of(client));
            time.Advance(TimeSpan.FromSeconds(1));
            client.GetCollection("docs").Modify(metadata: Meta(("owner", "carol")));
            ShippingTests.Ship(shipper);
        }
        Assert.NotEqual(before, after);

        PointInTimeRestore.Restore(target, PointInTime.Instant(beforeAt), dir.File("before"));
        PointInTimeRestore.Restore(target, PointInTime.Instant(afterAt), dir.File("after"));

        Assert.Equal(before, StoreDump.Describe(StoreDump.Of(dir.File("before"))));
        Assert.Equal(after, StoreDump.Describe(StoreDump.Of(dir.File("after"))));
    }
}

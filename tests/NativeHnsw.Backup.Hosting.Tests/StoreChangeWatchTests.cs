using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>The change stamp a runner keeps per store: read again on any commit by anyone, or a replaced database file; else the last one.</summary>
public sealed class StoreChangeWatchTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void Read_EveryCommitOfAnotherClient_IsSeenAtOnce_AndAQuietStoreIsNotReadAgain()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        TestSources.AddToStore(store, 0, 5);
        using var watch = new StoreChangeWatch(store);
        string first = watch.Read();
        Assert.Equal(first, watch.Read());
        Assert.Equal(first, PersistentClient.ReadChangeStamp(store));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(1, watch.Reads);

        // A service holds the store open and writes: each commit changes what the watch reads, at once.
        using var service = new PersistentClient(store, s_quiet);
        var docs = service.GetCollection("docs");
        var seen = new List<string> { first };
        for (int i = 0; i < 5; i++)
        {
            docs.Add($"n{i}", [1, 2, 3, i], null);
            seen.Add(watch.Read());
            Assert.Equal(PersistentClient.ReadChangeStamp(store), seen[^1]);
        }
        // Collections change no change log, but they are in the stamp and commit like any write.
        service.CreateCollection("more", new CollectionOptions { Dimensions = 2 });
        seen.Add(watch.Read());
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(seen[^1], watch.Read());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(seen.Count, watch.Reads);
    }

    [Fact]
    public void Read_TheStoreReplacedUnderIt_ReadsTheNewFile()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        TestSources.AddToStore(store, 0, 5);
        // Another store, larger, at another change: what a restore would swap in.
        TestSources.AddToStore(dir.File("other"), 100, 300);
        using var watch = new StoreChangeWatch(store);
        string before = watch.Read();

        Directory.Move(store, dir.File("store.old"));
        Directory.Move(dir.File("other"), store);

        string after = watch.Read();
        Assert.NotEqual(before, after);
        Assert.Equal(PersistentClient.ReadChangeStamp(store), after);
    }

    [Fact]
    public void Read_NotAStore_NamesTheFolder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("empty"));
        using var watch = new StoreChangeWatch(dir.File("empty"));
        var e = Assert.Throws<StoreException>(watch.Read);
        Assert.Contains(dir.File("empty"), e.Message, StringComparison.Ordinal);
    }
}

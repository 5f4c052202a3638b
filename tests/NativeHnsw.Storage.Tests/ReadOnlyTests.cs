using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

public sealed class ReadOnlyTests
{
    private static readonly CollectionOptions s_l2 = new() { Dimensions = 8, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 };

    private static readonly StoreOptions s_options = new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 20, Interval = null },
        Log = _ => { },
    };

    private static void Fill(Collection c, float[] data, int from, int to)
    {
        for (int i = from; i < to; i++)
            c.Add($"r{i}", Datasets.Row(data, 8, i).ToArray());
    }

    [Fact]
    public void OpenReadOnly_BesideWriter_SeesCommittedRecords_RefusesWrites_TakesNoLock()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(120, 8, seed: 7);
        string store = folder.Combine("store");
        using var writer = new PersistentClient(store, s_options);
        var live = writer.CreateCollection("c", s_l2);
        Fill(live, data, 0, 70);
        var lockBefore = File.GetLastWriteTimeUtc(Path.Combine(store, "LOCK"));

        using (var reader = PersistentClient.OpenReadOnly(store, s_options))
        {
            Assert.True(reader.IsReadOnly);
            Fill(live, data, 70, 100); // after the open: not seen
            var c = reader.GetCollection("c");
            Assert.Equal(70, c.Count());
            Assert.Equal(10, c.Peek(10).Count);
            Assert.Equal("r5", c.Get(["r5"]).Single().Id);
            Assert.Empty(c.Get(["r80"]));
            Assert.Equal("r33", c.Query(Datasets.Row(data, 8, 33), k: 1).Single().Id);
            Assert.Empty(c.CheckIndexAgreesWithDatabase());

            var e = Assert.Throws<StoreReadOnlyException>(() => c.Add("x", Datasets.Row(data, 8, 0).ToArray()));
            Assert.Contains(reader.Path, e.Message, StringComparison.Ordinal);
            Assert.Throws<StoreReadOnlyException>(() => c.Upsert("r1", Datasets.Row(data, 8, 0).ToArray()));
            Assert.Throws<StoreReadOnlyException>(() => c.Update(["r1"], documents: ["d"]));
            Assert.Throws<StoreReadOnlyException>(() => c.Delete(["r1"]));
            Assert.Throws<StoreReadOnlyException>(c.Checkpoint);
            Assert.Throws<StoreReadOnlyException>(() => reader.CreateCollection("d", s_l2));
            Assert.Throws<StoreReadOnlyException>(() => reader.GetOrCreateCollection("d", s_l2));
            Assert.Throws<StoreReadOnlyException>(() => reader.DeleteCollection("c"));
            Assert.Throws<StoreReadOnlyException>(reader.Checkpoint);
            Assert.Same(c, reader.GetOrCreateCollection("c", s_l2)); // exists: a read

            // A second writer is still refused (the reader took no lock, the first writer still has it)...
            Assert.Throws<StoreLockedException>(() => new PersistentClient(store, s_options));
            // ...and the writer goes on.
            Fill(live, data, 100, 120);
            Assert.Equal(120, live.Count());
        }
        Assert.Equal(lockBefore, File.GetLastWriteTimeUtc(Path.Combine(store, "LOCK")));
        Assert.Empty(live.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void OpenReadOnly_WithoutWriter_NeverWritesTheStoreFolder()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(50, 8, seed: 8);
        string store = folder.Combine("store");
        using (var writer = new PersistentClient(store, s_options))
            Fill(writer.CreateCollection("c", s_l2), data, 0, 50);
        // A stray temporary file a writer's open would sweep away.
        string stray = Path.Combine(store, "collections", "1", ".index-00000000000000000099.nhnsw.tmp");
        File.WriteAllText(stray, "x");
        var before = Directory.GetFiles(store, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal))
            .ToDictionary(f => f, File.GetLastWriteTimeUtc, StringComparer.Ordinal);

        using (var reader = PersistentClient.OpenReadOnly(store, s_options))
            Assert.Equal(50, reader.GetCollection("c").Count());

        var after = Directory.GetFiles(store, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal))
            .ToDictionary(f => f, File.GetLastWriteTimeUtc, StringComparer.Ordinal);
        Assert.Equal(before, after);
        Assert.True(File.Exists(stray));
    }

    [Fact]
    public void OpenReadOnly_NotAStore_Throws()
    {
        using var folder = new TempDirectory();
        var e = Assert.Throws<StoreException>(() => PersistentClient.OpenReadOnly(folder.Combine("none")));
        Assert.Contains("not a store", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.Combine("none")));
    }

    [Fact]
    public void OpenReadOnly_NewestCheckpointPrunedWhileOpening_FallsBackToTheOlderOne()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(70, 8, seed: 9);
        string store = folder.Combine("store");
        using var writer = new PersistentClient(store, s_options);
        Fill(writer.CreateCollection("c", s_l2), data, 0, 70); // checkpoints at 20, 40, 60: 40 and 60 kept
        var options = s_options with
        {
            BeforeCheckpointLoad = path =>
            {
                if (path.EndsWith("60.nhnsw", StringComparison.Ordinal))
                    File.Delete(path);
            },
        };

        using var reader = PersistentClient.OpenReadOnly(store, options);
        var c = reader.GetCollection("c");
        Assert.Equal(70, c.Count());
        Assert.EndsWith("40.nhnsw", c.Recovery.Checkpoint, StringComparison.Ordinal);
        Assert.Empty(c.Recovery.DamagedCheckpoints);
        Assert.Equal(30, c.Recovery.ReplayedRecords);
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void OpenReadOnly_WriterPrunesBothCheckpointsWhileOpening_RebuildsFromTheDatabase()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(120, 8, seed: 10);
        string store = folder.Combine("store");
        using var writer = new PersistentClient(store, s_options);
        var live = writer.CreateCollection("c", s_l2);
        Fill(live, data, 0, 70);
        bool pruned = false;
        var options = s_options with
        {
            BeforeCheckpointLoad = _ =>
            {
                if (pruned)
                    return;
                pruned = true;
                Fill(live, data, 70, 120); // two more checkpoints (80, 100): 40 and 60 are pruned
            },
        };

        using var reader = PersistentClient.OpenReadOnly(store, options);
        Assert.True(pruned);
        var c = reader.GetCollection("c");
        Assert.Equal(70, c.Count());
        Assert.Null(c.Recovery.Checkpoint);
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
        Assert.Equal(120, live.Count());
    }

    [Fact]
    public void CreateSnapshot_OnReadOnlyClient_CopiesTheStoreAsItIsNow()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(90, 8, seed: 11);
        string store = folder.Combine("store");
        using var writer = new PersistentClient(store, s_options);
        var live = writer.CreateCollection("c", s_l2);
        Fill(live, data, 0, 50);
        using var reader = PersistentClient.OpenReadOnly(store, s_options);
        Fill(live, data, 50, 90);

        var snapshot = reader.CreateSnapshot(folder.Combine("snap"));
        Assert.Equal(90, Assert.Single(snapshot.Collections).Records);
        Assert.NotNull(snapshot.Collections[0].CheckpointFile);
        using var copy = new PersistentClient(snapshot.Folder, s_options);
        var restored = copy.GetCollection("c");
        Assert.Equal(90, restored.Count());
        Assert.Empty(restored.CheckIndexAgreesWithDatabase());
    }
}

using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

public sealed class SnapshotTests
{
    private static readonly CollectionOptions s_l2 = new() { Dimensions = 8, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 };

    private static readonly StoreOptions s_options = new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 20, Interval = null },
        Log = _ => { },
    };

    [Fact]
    public void CreateSnapshot_OpensAsTheSameStore_WithCheckpointAndReplay()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(70, 8, seed: 4);
        StoreSnapshot snapshot;
        using (var client = new PersistentClient(folder.Combine("live"), s_options))
        {
            var c = client.CreateCollection("c", s_l2);
            for (int i = 0; i < 70; i++)
                c.Add($"r{i}", Datasets.Row(data, 8, i).ToArray(), $"d{i}", new Dictionary<string, object?> { ["i"] = (long)i });
            snapshot = client.CreateSnapshot(folder.Combine("snap"), sampleIds: 5);
            c.Delete(["r0"]); // after the snapshot: not in it
        }

        var only = Assert.Single(snapshot.Collections);
        Assert.Equal(("c", 70L, 5), (only.Name, only.Records, only.SampleIds.Count));
        Assert.NotNull(only.CheckpointFile);
        Assert.Contains(only.CheckpointFile, snapshot.Files);
        Assert.Equal(70, snapshot.ReadRecords(only).Count());
        Assert.Equal(new Dictionary<string, object> { ["i"] = 69L }, snapshot.ReadRecords(only).Last().Metadata);

        using var copy = new PersistentClient(snapshot.Folder, s_options);
        var restored = copy.GetCollection("c");
        Assert.Equal(70, restored.Count());
        Assert.NotNull(restored.Recovery.Checkpoint);
        Assert.Empty(restored.CheckIndexAgreesWithDatabase());
        Assert.Equal("r0", restored.Query(Datasets.Row(data, 8, 0), k: 1)[0].Id);
    }

    [Fact]
    public void CreateSnapshot_FolderNotEmpty_Throws()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.Combine("x"), "");
        using var client = new PersistentClient(folder.Combine("live"), s_options);
        Assert.Throws<IOException>(() => client.CreateSnapshot(folder.Path));
    }
}

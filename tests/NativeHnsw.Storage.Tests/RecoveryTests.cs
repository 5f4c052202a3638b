using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

public sealed class RecoveryTests
{
    private static readonly CollectionOptions s_l2 = new() { Dimensions = 8, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 };

    private static StoreOptions Options(List<string> log) => new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 20, OnDispose = false, Interval = null, AfterReplayOf = 0 },
        Log = log.Add,
    };

    /// <summary>Writes 70 records one at a time: checkpoints at 20, 40 and 60 (the last two kept), 10 changes after.</summary>
    private static (string Newest, string Previous) Fill(string path)
    {
        var data = Datasets.Gaussian(70, 8, seed: 9);
        using var client = new PersistentClient(path, Options([]));
        var c = client.CreateCollection("c", s_l2);
        for (int i = 0; i < 70; i++)
            c.Add($"r{i}", Datasets.Row(data, 8, i).ToArray());
        var files = client.Layout.Checkpoints(c.Id);
        Assert.Equal(2, files.Count);
        return (files[0].Path, files[1].Path);
    }

    [Fact]
    public void Open_NewestCheckpointDamaged_FallsBackToPreviousReplaysAndLogs()
    {
        using var folder = new TempDirectory();
        var (newest, previous) = Fill(folder.Path);
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var log = new List<string>();
        using var client = new PersistentClient(folder.Path, Options(log));
        var c = client.GetCollection("c");
        Assert.Equal(previous, c.Recovery.Checkpoint);
        Assert.Single(c.Recovery.DamagedCheckpoints);
        Assert.Equal(30, c.Recovery.ReplayedRecords);
        var line = Assert.Single(log);
        Assert.Contains($"checkpoint {newest} damaged", line);
        Assert.Contains($"falling back to {previous}", line);
        Assert.Equal(70, c.Count());
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void Open_EveryCheckpointDamagedOrMissing_RebuildsFromDatabase()
    {
        using var folder = new TempDirectory();
        var (newest, previous) = Fill(folder.Path);
        File.WriteAllBytes(newest, new byte[100]);
        File.Delete(previous);
        var log = new List<string>();
        using var client = new PersistentClient(folder.Path, Options(log));
        var c = client.GetCollection("c");
        Assert.Null(c.Recovery.Checkpoint);
        Assert.Equal(70, c.Recovery.ReplayedRecords);
        Assert.Contains(log, l => l.Contains("falling back to a rebuild from the database", StringComparison.Ordinal));
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
        Assert.Equal("r5", c.Query(c.Get(["r5"], include: Include.Embeddings)[0].Embedding, 1)[0].Id);
    }

    [Fact]
    public void Open_CheckpointNewerThanDatabase_IsNotTrusted()
    {
        using var folder = new TempDirectory();
        var (newest, _) = Fill(folder.Path);
        string future = Path.Combine(Path.GetDirectoryName(newest)!, "index-" + 999_999L.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".nhnsw");
        File.Copy(newest, future);
        var log = new List<string>();
        using var client = new PersistentClient(folder.Path, Options(log));
        var c = client.GetCollection("c");
        Assert.Equal(newest, c.Recovery.Checkpoint);
        Assert.Contains(log, l => l.Contains("restored from an older copy", StringComparison.Ordinal));
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void Open_AbandonedTemporaryCheckpoint_IsRemoved()
    {
        using var folder = new TempDirectory();
        var (newest, _) = Fill(folder.Path);
        string temp = Path.Combine(Path.GetDirectoryName(newest)!, ".index-00000000000000000099.nhnsw.1.abc.tmp");
        File.WriteAllText(temp, "half a save");
        using var client = new PersistentClient(folder.Path, Options([]));
        client.GetCollection("c");
        Assert.False(File.Exists(temp));
    }
}

using System.Text.Json;
using NativeHnsw.Cli;
using NativeHnsw.Storage;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw backup</c> of a store another client (a service) has open: read through a read-only open, beside its writes.</summary>
public sealed class LockedStoreBackupTests
{
    private static readonly StoreOptions s_writer = new() { Checkpoints = new CheckpointPolicy { Interval = null, EveryChanges = 25 }, Log = _ => { } };

    [Fact]
    public void CliBackup_StoreLockedByWriter_BacksUpAConsistentPrefixThroughReadOnlyOpen()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        string backups = dir.File("backups");
        var random = new Random(21);
        using var writer = new PersistentClient(store, s_writer);
        var live = writer.CreateCollection("c", new CollectionOptions { Dimensions = 6, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 });
        var vectors = new List<float[]>();
        int written = 0;
        void WriteOne()
        {
            var v = TestStores.Vector(random, 6);
            vectors.Add(v);
            live.Add("r" + written.ToString(System.Globalization.CultureInfo.InvariantCulture), v);
            written++;
        }
        for (int i = 0; i < 120; i++)
            WriteOne();

        using var done = new ManualResetEventSlim();
        var writes = new Thread(() =>
        {
            // Keeps writing (and checkpointing, pruning old checkpoints) all through the backup.
            while (!done.IsSet || written < 200)
                WriteOne();
        });
        writes.Start();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NhnswCli.Run(["backup", store, "--target", backups], stdout, stderr);
        done.Set();
        Assert.True(writes.Join(TimeSpan.FromSeconds(60)));
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("read-only", stdout.ToString(), StringComparison.Ordinal);
        for (int i = 0; i < 20; i++)
            WriteOne();
        int total = written;

        var json = new StringWriter();
        Assert.Equal(0, NhnswCli.Run(["backups", "--target", backups, "--json"], json, new StringWriter()));
        Assert.Equal(1, JsonDocument.Parse(json.ToString()).RootElement.GetProperty("backups").GetArrayLength());

        string restoredFolder = dir.File("restored");
        StoreRestore.Restore(new LocalFolderTarget(backups), BackupSelector.Latest, restoredFolder);
        using var restored = new PersistentClient(restoredFolder, s_writer);
        var c = restored.GetCollection("c");
        int count = c.Count();
        Assert.InRange(count, 120, total);
        // A consistent prefix: exactly r0 … r(count−1), each with the vector written, and nothing after.
        var ids = c.Get(include: Include.Embeddings).ToDictionary(r => r.Id, r => r.Embedding!, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string id = "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(ids.TryGetValue(id, out var embedding), $"{id} missing from a backup of {count} records");
            Assert.Equal(vectors[i], embedding);
        }
        Assert.Equal(count, ids.Count);
        // The index agrees: every record finds itself.
        for (int i = 0; i < count; i += 17)
            Assert.Equal("r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Query(vectors[i], k: 1).Single().Id);
        Assert.Equal(total, live.Count());
    }
}

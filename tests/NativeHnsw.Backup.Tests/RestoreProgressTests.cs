using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>A store restore reports progress through every long phase: bytes while fetching, incrementals while applying a chain.</summary>
public sealed class RestoreProgressTests
{
    [Fact]
    public void StoreRestore_ChainOfThree_ReportsFetchBytesThenEachIncrementalApplied()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var origin = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        using (var client = new PersistentClient(dir.File("store"), new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } }))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            TestStores.Fill(docs, 30, seed: 1);
            StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = origin });
            for (int i = 1; i <= 3; i++)
            {
                docs.Delete(["r" + i]);
                StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = origin.AddMinutes(i) });
            }
        }
        var reports = new List<BackupProgress>();

        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"), new RestoreOptions { Progress = new Recorder(reports) });

        Assert.Contains(reports, r => r.Step == "checksums" && r.Unit == BackupProgress.Bytes && r.Done == r.Total && r.Total > 0);
        var apply = reports.Where(r => r.Step == "apply").ToList();
        Assert.Equal([0L, 1, 2, 3], apply.Select(r => r.Done));
        Assert.All(apply, r => Assert.Equal((3L, "incrementals"), (r.Total, r.Unit)));
        Assert.True(reports.FindIndex(r => r.Step == "apply") > reports.FindLastIndex(r => r.Step == "checksums"));
    }

    private sealed class Recorder(List<BackupProgress> reports) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => reports.Add(value);
    }
}

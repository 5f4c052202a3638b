using FsCheck.Xunit;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// Incremental store backups: a chain restored in order equals a full backup taken at the same moment. Each random
/// case is built from its FsCheck-chosen seed, so a failure's printed arguments reproduce it.
/// </summary>
public sealed class StoreIncrementalTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null, EveryChanges = 40 }, Log = _ => { } };
    private static readonly DateTimeOffset s_origin = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 6)]
    public void Chain_RandomHistory_RestoresAsFullAtSameMoment(int seed)
    {
        var random = new Random(seed);
        int incrementals = random.Next(1, 101);
        var compareAt = new HashSet<int> { incrementals, random.Next(1, incrementals + 1) };
        using var dir = new TempDirectory();
        var chainTarget = new LocalFolderTarget(dir.File("chain"));
        var fullTarget = new LocalFolderTarget(dir.File("full"));
        var expected = new List<(string Chain, string Full)>();
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
        {
            var time = s_origin;
            client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            RandomOps(client, random, 10);
            StoreBackup.Backup(client, chainTarget, new BackupOptions { CreatedUtc = time });
            for (int i = 1; i <= incrementals; i++)
            {
                RandomOps(client, random, random.Next(0, 4));
                time = time.AddMinutes(1);
                var incremental = StoreBackup.BackupIncremental(client, chainTarget, options: new BackupOptions { CreatedUtc = time });
                Assert.Equal(BackupKind.Incremental, incremental.Kind);
                if (compareAt.Contains(i))
                    expected.Add((incremental.Id, StoreBackup.Backup(client, fullTarget, new BackupOptions { CreatedUtc = time }).Id));
            }
        }

        foreach (var (chainId, fullId) in expected)
        {
            string fromChain = dir.File("from-chain-" + chainId), fromFull = dir.File("from-full-" + fullId);
            var report = StoreRestore.Restore(chainTarget, BackupSelector.ById(chainId), fromChain);
            StoreRestore.Restore(fullTarget, BackupSelector.ById(fullId), fromFull);
            Assert.Contains(report.Steps, s => s.Name == "apply");
            using var a = new PersistentClient(fromChain, s_quiet);
            using var b = new PersistentClient(fromFull, s_quiet);
            Assert.Equal(StoreBackupTests.Everything(b), StoreBackupTests.Everything(a));
        }
    }

    [Fact]
    public void Incremental_HoldsOnlyTheChanges()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        using var client = new PersistentClient(dir.File("store"), s_quiet);
        var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 16 });
        TestStores.Fill(docs, 500, seed: 1);
        var full = StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_origin });
        docs.Upsert("r1", [.. Enumerable.Repeat(1f, 16)], "changed");
        docs.Delete(["r2"]);

        var incremental = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddHours(1) });

        Assert.Equal(full.Id, incremental.Parent);
        var delta = incremental.FileWithRole(StoreDelta.Role);
        Assert.True(delta.Length < full.FileWithRole(StoreBackup.DatabaseRole).Length / 20, $"delta of {delta.Length} bytes");
        string text = File.ReadAllText(Path.Combine(dir.File("backups"), incremental.Id, delta.Name));
        Assert.Contains("\"r1\"", text, StringComparison.Ordinal);
        Assert.Contains("\"deleted\":[\"r2\"]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"r3\"", text, StringComparison.Ordinal);
        Assert.Equal(499, incremental.Store!.Collections.Single().Records);
    }

    [Fact]
    public void Restore_BrokenOrTamperedChain_NamesTheBackup_LiveUntouched()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        string live = dir.File("store");
        BackupManifest first, second;
        using (var client = new PersistentClient(live, s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            TestStores.Fill(docs, 20, seed: 2);
            StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_origin });
            docs.Delete(["r0"]);
            first = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(1) });
            docs.Delete(["r1"]);
            second = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(2) });
        }
        var before = Snapshot(live);

        string deltaFile = Path.Combine(dir.File("backups"), first.Id, first.FileWithRole(StoreDelta.Role).Name);
        File.AppendAllText(deltaFile, " ");
        var tampered = Assert.Throws<BackupIntegrityException>(() => StoreRestore.Restore(target, BackupSelector.Latest, live));
        Assert.Equal(first.Id, tampered.BackupId);
        Assert.Contains("bytes", tampered.Message, StringComparison.Ordinal);

        target.Delete(first.Id);
        var broken = Assert.Throws<BackupChainException>(() => StoreRestore.Restore(target, BackupSelector.Latest, live));
        Assert.Equal(second.Id, broken.BackupId);
        Assert.Contains("broken chain", broken.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(live));
    }

    private static Dictionary<string, List<string>> Snapshot(string store)
    {
        using var client = new PersistentClient(store, s_quiet);
        return StoreBackupTests.Everything(client);
    }

    private static void RandomOps(PersistentClient client, Random random, int count)
    {
        for (int op = 0; op < count; op++)
        {
            var names = client.ListCollections();
            switch (random.Next(10))
            {
                case < 5:
                {
                    var c = client.GetCollection(names[random.Next(names.Count)]);
                    int n = random.Next(1, 6);
                    var ids = Enumerable.Range(0, n).Select(_ => "r" + random.Next(40)).Distinct().ToList();
                    c.Upsert(ids, [.. ids.Select(_ => TestStores.Vector(random, c.Options.Dimensions))],
                        [.. ids.Select(_ => random.Next(3) == 0 ? null : "doc " + random.Next(1000))],
                        [.. ids.Select(_ => RandomMetadata(random))]);
                    break;
                }
                case < 7:
                {
                    var c = client.GetCollection(names[random.Next(names.Count)]);
                    c.Delete([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => "r" + random.Next(40))]);
                    break;
                }
                case 7:
                {
                    var c = client.GetCollection(names[random.Next(names.Count)]);
                    var existing = c.Get(limit: 2, include: Include.None).Select(r => r.Id).ToList();
                    if (existing.Count > 0)
                        c.Update(existing, metadatas: [.. existing.Select(_ => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["k"] = null, ["u"] = 1.5 })]);
                    break;
                }
                case 8:
                    if (names.Contains("extra"))
                        client.DeleteCollection("extra");
                    else
                        client.CreateCollection("extra", new CollectionOptions { Dimensions = random.Next(2, 6), Metric = DistanceMetric.L2 });
                    break;
                default:
                    client.Checkpoint();
                    break;
            }
        }
    }

    private static IReadOnlyDictionary<string, object?>? RandomMetadata(Random random) => random.Next(4) switch
    {
        0 => null,
        1 => new Dictionary<string, object?> { ["k"] = (long)random.Next(5), ["f"] = 1.0 },
        2 => new Dictionary<string, object?> { ["k"] = "v" + random.Next(5), ["b"] = random.Next(2) == 0 },
        _ => new Dictionary<string, object?> { ["k"] = null, ["x"] = random.NextDouble() },
    };
}

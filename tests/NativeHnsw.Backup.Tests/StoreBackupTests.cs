using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

public sealed class StoreBackupTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null, EveryChanges = 50 }, Log = _ => { } };

    [Fact]
    public void StoreBackup_ThenRestoreOverChangedStore_SameRecordsAndAnswers()
    {
        using var dir = new TempDirectory();
        string live = dir.File("store");
        var target = new LocalFolderTarget(dir.File("backups"));
        BackupManifest manifest;
        Dictionary<string, List<string>> before;
        using (var client = new PersistentClient(live, s_quiet))
        {
            TestStores.Fill(client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 }), 300, seed: 1);
            TestStores.Fill(client.GetOrCreateCollection("other", new CollectionOptions { Dimensions = 4, Metric = DistanceMetric.L2 }), 40, seed: 2);
            before = Everything(client);
            manifest = StoreBackup.Backup(client, target);
            // The live data moves on.
            client.GetCollection("docs").Delete(["r0", "r1"]);
            client.DeleteCollection("other");
        }

        Assert.Equal(BackupSourceKind.Store, manifest.SourceKind);
        Assert.Equal([("docs", 300L, 8), ("other", 40L, 4)], manifest.Store!.Collections.Select(c => (c.Name, c.Records, c.Dimensions)));
        Assert.Contains(manifest.Files, f => f.Role == StoreBackup.DatabaseRole);

        var report = StoreRestore.Restore(target, BackupSelector.Latest, live);

        Assert.True(report.Switched);
        Assert.Equal(["select", "checksums", "open", "counts", "queries", "switch"], report.Steps.Select(s => s.Name));
        using (var client = new PersistentClient(live, s_quiet))
            Assert.Equal(before, Everything(client));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path, "*store*"));
    }

    [Fact]
    public void StoreBackup_DuringConcurrentWrites_RestoresAConsistentPrefix()
    {
        using var dir = new TempDirectory();
        string live = dir.File("store");
        var target = new LocalFolderTarget(dir.File("backups"));
        using (var client = new PersistentClient(live, s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            using var stop = new CancellationTokenSource();
            int written = 0;
            var writer = new Thread(() =>
            {
                var random = new Random(7);
                for (int i = 0; !stop.IsCancellationRequested && i < 5_000; i++)
                {
                    // One transaction: the new record and the counter that names it.
                    docs.Upsert(["r" + i, "counter"], [TestStores.Vector(random, 4), TestStores.Vector(random, 4)], [null, i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    Volatile.Write(ref written, i + 1);
                }
            });
            writer.Start();
            var backups = new List<BackupManifest>();
            while (backups.Count < 3 && writer.IsAlive)
            {
                if (Volatile.Read(ref written) > (backups.Count + 1) * 40)
                    backups.Add(StoreBackup.Backup(client, target));
                Thread.Sleep(1);
            }
            stop.Cancel();
            writer.Join();
            Assert.NotEmpty(backups);

            foreach (var backup in backups)
            {
                string restored = dir.File("restored-" + backup.Id);
                StoreRestore.Restore(target, BackupSelector.ById(backup.Id), restored);
                using var copy = new PersistentClient(restored, s_quiet);
                var records = copy.GetCollection("docs").Get(include: Include.Documents);
                int counter = int.Parse(records.Single(r => r.Id == "counter").Document!, System.Globalization.CultureInfo.InvariantCulture);
                var expected = Enumerable.Range(0, counter + 1).Select(i => "r" + i).Append("counter").Order(StringComparer.Ordinal);
                Assert.Equal(expected, records.Select(r => r.Id).Order(StringComparer.Ordinal));
                Assert.Equal(counter + 2, backup.Store!.Collections.Single().Records);
            }
        }
    }

    [Fact]
    public void StoreRestore_TamperedOrLocked_LiveStoreUntouched()
    {
        using var dir = new TempDirectory();
        string live = dir.File("store");
        var target = new LocalFolderTarget(dir.File("backups"));
        BackupManifest manifest;
        Dictionary<string, List<string>> after;
        using (var client = new PersistentClient(live, s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 });
            TestStores.Fill(docs, 100, seed: 3);
            manifest = StoreBackup.Backup(client, target);
            docs.Delete(["r5"]);
            after = Everything(client);

            // A client holds the store: refused, nothing changed.
            var locked = Assert.Throws<BackupStoreInUseException>(() => StoreRestore.Restore(target, BackupSelector.Latest, live));
            Assert.Contains("LOCK", locked.Message, StringComparison.Ordinal);
            Assert.Equal(manifest.Id, locked.BackupId);
            Assert.Equal(after, Everything(client));
        }

        string db = Path.Combine(dir.File("backups"), manifest.Id, StoreBackup.DatabaseFileName);
        byte[] bytes = File.ReadAllBytes(db);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(db, bytes);
        var tampered = Assert.Throws<BackupIntegrityException>(() => StoreRestore.Restore(target, BackupSelector.Latest, live));
        Assert.Contains("SHA-256", tampered.Message, StringComparison.Ordinal);
        Assert.Equal(manifest.Id, tampered.BackupId);

        using (var client = new PersistentClient(live, s_quiet))
            Assert.Equal(after, Everything(client));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path, "*store*"));
    }

    [Fact]
    public void StoreRestore_DryRunAndDrill_LeaveLiveAlone()
    {
        using var dir = new TempDirectory();
        string live = dir.File("store");
        var target = new LocalFolderTarget(dir.File("backups"));
        using (var client = new PersistentClient(live, s_quiet))
        {
            TestStores.Fill(client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 }), 50, seed: 4);
            StoreBackup.Backup(client, target);
        }
        StoreBackup.Backup(live, target);

        var dry = StoreRestore.Restore(target, BackupSelector.Latest, dir.File("elsewhere"), new RestoreOptions { DryRun = true });
        var drill = StoreRestore.Drill(target, BackupSelector.Latest, dir.File("scratch"));

        Assert.False(dry.Switched);
        Assert.False(Directory.Exists(dir.File("elsewhere")));
        Assert.False(drill.Switched);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("scratch")));
    }

    [Fact]
    public void StoreRestore_OntoAFolderThatIsNotAStore_Refused()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
            StoreBackup.Backup(client, target);
        Directory.CreateDirectory(dir.File("home"));
        File.WriteAllText(dir.File("home/notes.txt"), "keep me");

        var e = Assert.Throws<BackupMismatchException>(() => StoreRestore.Restore(target, BackupSelector.Latest, dir.File("home")));

        Assert.Contains("not a store", e.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(dir.File("home/notes.txt")));
    }

    [Fact]
    public void StoreRestore_WriteFailsMidCopy_NamesBackup_LiveUntouched_NoLeftovers()
    {
        using var dir = new TempDirectory();
        string live = dir.File("store");
        var folder = new LocalFolderTarget(dir.File("backups"));
        Dictionary<string, List<string>> before;
        BackupManifest manifest;
        using (var client = new PersistentClient(live, s_quiet))
        {
            TestStores.Fill(client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 }), 400, seed: 8);
            manifest = StoreBackup.Backup(client, folder);
            client.GetCollection("docs").Delete(["r9"]);
            before = Everything(client);
        }

        var e = Assert.Throws<BackupDestinationException>(() => StoreRestore.Restore(new FailingTarget(folder, failAfterBytes: 20_000), BackupSelector.Latest, live));

        Assert.Equal(manifest.Id, e.BackupId);
        Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
        using (var client = new PersistentClient(live, s_quiet))
            Assert.Equal(before, Everything(client));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path, "*store*"));
    }

    /// <summary>A target whose file reads fail part-way, as a restore does when the disk fills under it.</summary>
    private sealed class FailingTarget(IBackupTarget inner, long failAfterBytes) : IBackupTarget
    {
        public string Description => inner.Description;

        public IReadOnlyList<string> ListIds() => inner.ListIds();

        public IReadOnlyList<string> ListPartialIds() => inner.ListPartialIds();

        public IReadOnlyDictionary<string, long> ListFiles(string id) => inner.ListFiles(id);

        public IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun) => inner.SweepLeftovers(minimumAge, now, dryRun);

        public BackupManifest ReadManifest(string id) => inner.ReadManifest(id);

        public Stream OpenRead(string id, string fileName) => new Failing(inner.OpenRead(id, fileName), failAfterBytes);

        public IBackupWriter Begin(string id) => inner.Begin(id);

        public IChunkStore Chunks => inner.Chunks;

        public void Delete(string id) => inner.Delete(id);

        private sealed class Failing(Stream inner, long limit) : Stream
        {
            private long _read;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => inner.Length;

            public override long Position { get => _read; set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n = inner.Read(buffer, offset, (int)Math.Min(count, 4096));
                _read += n;
                if (_read > limit)
                    throw new IOException("No space left on device");
                return n;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>Every record of every collection, and exact query answers, as comparable strings.</summary>
    internal static Dictionary<string, List<string>> Everything(PersistentClient client)
    {
        var all = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string name in client.ListCollections())
        {
            var collection = client.GetCollection(name);
            var records = collection.Get(include: Include.All & ~Include.Distances).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            var lines = records.Select(Describe).ToList();
            lines.Add("options " + collection.Options);
            // A filter every record matches makes the query exact, so answers compare across differently built graphs.
            var everyone = Where.Parse("""{"no-such-key": {"$ne": "x"}}""");
            var random = new Random(99);
            for (int q = 0; q < 5 && records.Count > 0; q++)
            {
                var hits = collection.Query(TestStores.Vector(random, collection.Options.Dimensions), k: 5, where: everyone, include: Include.Distances);
                lines.Add("query " + string.Join(",", hits.Select(h => h.Id)));
            }
            all[name] = lines;
        }
        return all;
    }

    private static string Describe(StoredRecord r) =>
        r.Id + "|" + string.Join(",", r.Embedding!.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "|" + r.Document + "|"
        + (r.Metadata is null ? "-" : string.Join(",", r.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.GetType().Name}:{Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)}")));
}

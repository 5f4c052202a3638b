using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>The chunk store, dedup and garbage collection on the S3 target, against s3rver on loopback.</summary>
public sealed class S3ChunkTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ChunkedIndexBackups_ToS3_DedupRestoreAndCollect()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("chunks-" + Guid.NewGuid().ToString("N"));
        string live = TestIndexes.Save(dir, "live.hnsw", 3000, seed: 1);
        byte[] first = File.ReadAllBytes(live);
        var options = new BackupOptions { Chunked = true, CreatedUtc = s_day };

        var a = IndexBackup.BackupFile(live, target, options);
        var again = IndexBackup.BackupFile(live, target, options with { CreatedUtc = s_day.AddHours(1) });
        ChunkedTestData.Grow(live, 30, seed: 2);
        var b = IndexBackup.BackupFile(live, target, options with { CreatedUtc = s_day.AddHours(2) });

        Assert.Equal(0, again.StoredBytes);
        Assert.Equal(ChunkedTestData.Referenced(a, b), [.. target.Chunks.List().Select(c => c.Sha256)]);
        Assert.Equal(a.StoredBytes + b.StoredBytes, target.Chunks.List().Sum(c => c.StoredLength));
        Assert.Equal([a.Id, again.Id, b.Id], target.ListIds());
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));
        string restored = dir.File("restored.hnsw");
        IndexRestore.Restore(target, BackupSelector.ById(a.Id), restored);
        Assert.Equal(first, File.ReadAllBytes(restored));

        var report = BackupPruner.Prune(target, new RetentionPolicy(daily: 1, weekly: 0, monthly: 0), dryRun: false);

        Assert.Equal([again.Id, a.Id], report.Deleted);
        Assert.Null(report.Chunks.Skipped);
        Assert.True(report.Chunks.Deleted > 0);
        Assert.Equal(ChunkedTestData.Referenced(b), [.. target.Chunks.List().Select(c => c.Sha256)]);
        Assert.Empty(target.Chunks.ListLeases(DateTimeOffset.UtcNow));
        IndexRestore.Restore(target, BackupSelector.Latest, restored);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(restored));
    }

    [Fact]
    public void ChunkedBackup_ToS3_RunningBackupHoldsCollectionBack_CorruptChunkNamed()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("chunks-gc-" + Guid.NewGuid().ToString("N"));
        string live = TestIndexes.Save(dir, "live.hnsw", 1000, seed: 3);
        var a = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        target.Delete(a.Id);
        using (var running = target.Begin(BackupManifest.NewId(s_day.AddHours(1))))
        {
            using var stream = File.OpenRead(live);
            running.WriteChunked(IndexBackup.IndexFileName, IndexBackup.IndexRole, stream, ChunkedFileKind.Index);

            var during = BackupPruner.Prune(target, new RetentionPolicy(daily: 1), dryRun: false);

            Assert.NotNull(during.Chunks.Skipped);
            Assert.Equal(ChunkedTestData.Referenced(a).Count, target.Chunks.List().Count);
        }
        var b = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day.AddHours(2) });
        var victim = b.Files[0].Chunks![1];
        target.Chunks.Delete(victim.Sha256);
        target.Chunks.Put(victim.Sha256, ChunkCodec.Encode(new byte[victim.Length], compress: false));

        var e = Assert.Throws<BackupIntegrityException>(() => IndexRestore.Restore(target, BackupSelector.Latest, dir.File("restored.hnsw")));

        Assert.Contains(victim.Sha256, e.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("restored.hnsw")));
    }

    [Fact]
    public void ChunkedStoreBackup_ToS3_RestoresAsTheStore()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("chunks-store-" + Guid.NewGuid().ToString("N"));
        var quiet = new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };
        Dictionary<string, List<string>> expected;
        using (var client = new PersistentClient(dir.File("store"), quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 });
            TestStores.Fill(docs, 500, seed: 6);
            client.Checkpoint();
            StoreBackup.Backup(client, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
            docs.Delete(["r3", "r4"]);
            StoreBackup.Backup(client, target, new BackupOptions { Chunked = true, CreatedUtc = s_day.AddHours(1) });
            expected = StoreBackupTests.Everything(client);
        }

        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));

        using var restored = new PersistentClient(dir.File("restored"), quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    [Fact]
    public void PackedStoreBackups_ToS3_RestoreByRangedReads_PruneKeepsWhatIsReferenced()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("packs-" + Guid.NewGuid().ToString("N"));
        var (first, second, expected) = PackedChunkTests.TwoStoreBackups(dir, target);
        var database = second.FileWithRole(StoreBackup.DatabaseRole).Chunks!;

        Assert.All(database, c => Assert.NotNull(target.Chunks.Locate(c.Sha256)));
        Assert.Equal(2, target.Chunks.ListPacks().Count);
        Assert.Equal(ChunkedTestData.Referenced(first, second), [.. target.Chunks.List().Select(c => c.Sha256)]);
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));

        var report = BackupPruner.Prune(target, new RetentionPolicy(daily: 1, weekly: 0, monthly: 0), dryRun: false);
        // Everything the first backup alone held goes but for its unreferenced pages, whose pack stays (mostly the second's).
        var sweep = ChunkCollector.Sweep(target.Chunks, [], delete: false);

        Assert.Equal([first.Id], report.Deleted);
        Assert.Null(report.Chunks.Skipped);
        Assert.Subset(target.Chunks.List().Select(c => c.Sha256).ToHashSet(), ChunkedTestData.Referenced(second));
        Assert.Equal(target.Chunks.List().Count, sweep.Deleted);
        // A fresh client of the same prefix (no packs listed yet) restores through ranged GETs.
        using var fresh = s3.Target(target.Options.Prefix);
        StoreRestore.Restore(fresh, BackupSelector.Latest, dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } });
        Assert.Equal(expected, StoreBackupTests.Everything(restored));

        // A prune that finds the packs mostly unreferenced rewrites them, and a reader that listed them before finds the chunk moved.
        var kept = database[0];
        var before = fresh.Chunks.Locate(kept.Sha256)!.Value;
        ChunkCollector.Sweep(target.Chunks, [kept.Sha256], delete: true);
        Assert.Null(fresh.Chunks.TryReadPack(before.Pack, before.Offset, before.StoredLength));
        Assert.NotNull(fresh.Chunks.TryRead(kept.Sha256));
        Assert.Equal([kept.Sha256], target.Chunks.ListPacks().SelectMany(p => p.Chunks).Select(c => c.Sha256));
    }

    [Fact]
    public async Task PackDataWithoutItsIndex_OnS3_SweptOnceWrittenBeforeTheLeasesAndTheClocksMargin()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("orphans-" + Guid.NewGuid().ToString("N"));
        var (_, _, expected) = PackedChunkTests.TwoStoreBackups(dir, target);
        var packs = target.Chunks.ListPacks().Select(p => p.Name).ToHashSet();
        // Data written, index never: what a writer killed between the two leaves.
        byte[] data = ChunkCodec.Encode(new byte[100], compress: false);
        using (var body = new MemoryStream(data))
        {
            await target.Client.PutObjectAsync(
                new Amazon.S3.Model.PutObjectRequest
                {
                    BucketName = S3rverFixture.Bucket,
                    Key = target.KeyOf(".chunks", "packs/" + ChunkCodec.Key(data) + ".pack"),
                    InputStream = body,
                    UseChunkEncoding = false,
                },
                TestContext.Current.CancellationToken);
        }
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var keep = new RetentionPolicy(daily: 7, weekly: 0, monthly: 0);

        var soon = BackupPruner.Prune(target, keep, dryRun: false, time: time);
        time.Advance(TimeSpan.FromHours(1));
        var later = BackupPruner.Prune(target, keep, dryRun: false, time: time);
        var after = BackupPruner.Prune(target, keep, dryRun: false, time: time);

        Assert.Equal((0, 1, 0), (soon.Chunks.OrphanPacks, later.Chunks.OrphanPacks, after.Chunks.OrphanPacks));
        Assert.Equal(packs, target.Chunks.ListPacks().Select(p => p.Name).ToHashSet());
        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } });
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    private void SkipWithoutServer()
    {
        if (s3.SkipReason is { } reason)
            Assert.Skip(reason);
    }
}

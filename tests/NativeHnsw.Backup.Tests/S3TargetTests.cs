using System.Security.Cryptography;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>The S3 target against a real (fake) S3 server on loopback: s3rver, started for this class.</summary>
public sealed class S3TargetTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static readonly DateTimeOffset s_origin = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IndexBackup_ToS3_ListsOnlyWhenWhole_AndRestores()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("index-" + Guid.NewGuid().ToString("N"));
        string live = TestIndexes.Save(dir, "live.hnsw", 500, seed: 1);
        byte[] original = File.ReadAllBytes(live);

        using (var abandoned = target.Begin("20250101T000000000Z-00000a"))
        {
            using var stream = new MemoryStream([1, 2, 3]);
            abandoned.Write("a.bin", "data", stream);
            Assert.Empty(target.ListIds()); // no manifest yet: not a backup
        }
        var manifest = IndexBackup.BackupFile(live, target);
        Assert.Equal([manifest.Id], target.ListIds());

        TestIndexes.Save(dir, "live.hnsw", 100, seed: 2);
        var report = IndexRestore.Restore(target, BackupSelector.Latest, live);

        Assert.True(report.Switched);
        Assert.Equal(original, File.ReadAllBytes(live));
        target.Delete(manifest.Id);
        Assert.Empty(target.ListIds());
    }

    [Fact]
    public void SweepAbandoned_UnderALease_RemovesUploadsAndDeletionsOfOtherLeases_KeepsLiveAndUnleasedOnes()
    {
        SkipWithoutServer();
        using var target = s3.Target("writers-" + Guid.NewGuid().ToString("N"));
        var committed = Commit(target, "20250101T000000000Z-00000c", [7, 7]);
        string killedUpload = "20250101T000000000Z-00000a", liveUpload = "20250101T000000000Z-00000b", unleased = "20250101T000000000Z-00000d";
        IBackupWriter killed, live;
        BackupFileEntry liveEntry;
        using (WriterLease.Enter("lease-old", [target.Description]))
        {
            // A writer killed midway: never committed nor disposed, so its upload and its record stay.
            killed = target.Begin(killedUpload);
            killed.Write("a.bin", "data", new MemoryStream([1, 2, 3]));
            // A deletion killed after its manifest went: what is left is a partial upload, with the record.
            target.Call(committed.Id, "claim", () => Task.FromResult(target.ClaimWriter(committed.Id)));
            target.Call(committed.Id, "delete the manifest", () => target.Client.DeleteObjectAsync(S3rverFixture.Bucket, target.KeyOf(committed.Id, BackupManifest.FileName)));
        }
        using (WriterLease.Enter("lease-now", [target.Description]))
        {
            live = target.Begin(liveUpload);
            liveEntry = live.Write("a.bin", "data", new MemoryStream([4]));
        }
        using (var plain = target.Begin(unleased))
        {
            plain.Write("a.bin", "data", new MemoryStream([5]));
            Assert.DoesNotContain("writers/" + unleased, target.ListSidecars("writers/"));

            Assert.Empty(target.SweepAbandoned(heldLease: null, dryRun: false));
            Assert.Equal([killedUpload, committed.Id], target.SweepAbandoned("lease-now", dryRun: true).Order(StringComparer.Ordinal));
            Assert.Equal(4, target.ListPartialIds().Count);
            Assert.Equal([killedUpload, committed.Id], target.SweepAbandoned("lease-now", dryRun: false).Order(StringComparer.Ordinal));

            Assert.Equal([liveUpload, unleased], target.ListPartialIds().Order(StringComparer.Ordinal));
            Assert.Equal(["writers/" + liveUpload], target.ListSidecars("writers/"));
        }
        // Committed, the live writer's record goes with it; the unleased one abandoned by dispose leaves nothing.
        live.Commit(WriterContractTests.Manifest(liveUpload, liveEntry));
        live.Dispose();
        Assert.Empty(target.ListSidecars("writers/"));
        Assert.Equal([liveUpload], target.ListIds());
        Assert.Empty(target.ListPartialIds());
        killed.Dispose();
    }

    [Fact]
    public void Sidecar_WrittenOnS3rver_ReadsBackAsWritten()
    {
        // s3rver stores an aws-chunked body as sent (chunk headers and all): a sidecar (a scrub mark, the capacity
        // history, a writer's record) must go up as a plain body to read back as written.
        SkipWithoutServer();
        using var target = s3.Target("sidecars-" + Guid.NewGuid().ToString("N"));
        byte[] mark = "{\"id\":\"x\",\"state\":\"damaged\"}"u8.ToArray();
        target.WriteSidecar("scrub/x.json", mark);
        Assert.Equal(mark, target.ReadSidecar("scrub/x.json"));
    }

    private static BackupManifest Commit(S3Target target, string id, byte[] bytes)
    {
        using var writer = target.Begin(id);
        var manifest = WriterContractTests.Manifest(id, writer.Write("a.bin", "data", new MemoryStream(bytes)));
        writer.Commit(manifest);
        return manifest;
    }

    [Fact]
    public void Write_LargerThanAPart_MultipartUploadReadsBackIdentical()
    {
        SkipWithoutServer();
        using var target = s3.Target("multipart-" + Guid.NewGuid().ToString("N"));
        byte[] data = new byte[(2 * S3TargetOptions.MinimumPartSize) + 12_345];
        new Random(5).NextBytes(data);
        string id = "20250101T000000000Z-00000b";

        BackupFileEntry entry;
        using (var writer = target.Begin(id))
        {
            entry = writer.Write("big.bin", "data", new MemoryStream(data));
            writer.Commit(new BackupManifest
            {
                FormatVersion = 1,
                Id = id,
                CreatedUtc = s_origin,
                Kind = BackupKind.Full,
                SourceKind = BackupSourceKind.Index,
                Source = "test",
                ToolVersion = "0",
                Files = [entry],
                Index = new IndexSummary { Dimensions = 1, Metric = DistanceMetric.L2, M = 16, EfConstruction = 200, DefaultEf = 64, Seed = 1, Count = 0, NodeCount = 0, DeletedCount = 0, FormatVersion = "1" },
            });
        }

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), entry.Sha256);
        Assert.Equal(data.Length, entry.Length);
        using var read = target.OpenRead(id, "big.bin");
        using var copy = new MemoryStream();
        read.CopyTo(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public void StoreBackups_FullAndIncremental_ToS3_RestoreAsTheStore()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        using var target = s3.Target("store-" + Guid.NewGuid().ToString("N"));
        var quiet = new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };
        Dictionary<string, List<string>> expected;
        using (var client = new PersistentClient(dir.File("store"), quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 });
            TestStores.Fill(docs, 200, seed: 6);
            StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_origin });
            docs.Delete(["r3", "r4"]);
            docs.Upsert("new", [.. Enumerable.Repeat(0.5f, 8)], "fresh");
            StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(1) });
            expected = StoreBackupTests.Everything(client);
        }

        var report = StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));

        Assert.Equal(2, report.Chain.Count);
        using var restored = new PersistentClient(dir.File("restored"), quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    [Fact]
    public void BadInput_WrongCredentialsUnreachableMissingPartial_ClearMessages()
    {
        SkipWithoutServer();
        using var dir = new TempDirectory();
        string prefix = "bad-" + Guid.NewGuid().ToString("N");
        using var good = s3.Target(prefix);
        string live = TestIndexes.Save(dir, "live.hnsw", 50, seed: 3);
        byte[] original = File.ReadAllBytes(live);
        var manifest = IndexBackup.BackupFile(live, good);

        using (var wrong = s3.Target(prefix, accessKey: "NOT-A-KEY", secretKey: "nope"))
        {
            var e = Assert.Throws<BackupTargetException>(() => IndexRestore.Restore(wrong, BackupSelector.Latest, live));
            Assert.Contains("access denied", e.Message, StringComparison.Ordinal);
        }
        using (var unreachable = new S3Target(new S3TargetOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{S3rverFixture.FreePort()}"),
            Bucket = S3rverFixture.Bucket,
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
            MaxRetries = 0,
        }))
        {
            var e = Assert.Throws<BackupTargetException>(() => IndexRestore.Restore(unreachable, BackupSelector.Latest, live));
            Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
        }
        using (var noBucket = new S3Target(new S3TargetOptions { Endpoint = s3.Endpoint, Bucket = "no-such-bucket", AccessKey = "S3RVER", SecretKey = "S3RVER", MaxRetries = 0 }))
        {
            var e = Assert.Throws<BackupTargetException>(() => noBucket.ListIds());
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        }

        var missing = Assert.Throws<BackupNotFoundException>(() => good.ReadManifest("20990101T000000000Z-ffffff"));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        good.Call(manifest.Id, "delete the manifest alone", () => good.Client.DeleteObjectAsync(S3rverFixture.Bucket, good.KeyOf(manifest.Id, BackupManifest.FileName), TestContext.Current.CancellationToken));
        var partial = Assert.Throws<BackupIntegrityException>(() => good.ReadManifest(manifest.Id));
        Assert.Contains("partial", partial.Message, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllBytes(live));
    }

    private void SkipWithoutServer()
    {
        if (s3.SkipReason is { } reason)
            Assert.Skip(reason);
    }
}

using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>Backups stored as content-addressed chunks: round trips, dedup, damage found at restore, old backups beside new ones.</summary>
public sealed class ChunkedBackupTests
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void IndexChunked_RoundTrip_RestoresByteIdentical_NothingStoredWhole()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 3000, seed: 1);
        byte[] original = File.ReadAllBytes(live);
        var answers = TestIndexes.Answers(live);
        var target = new LocalFolderTarget(dir.File("backups"));

        var manifest = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        TestIndexes.Save(dir, "live.hnsw", 100, seed: 9);
        var report = IndexRestore.Restore(target, BackupSelector.Latest, live);

        Assert.Equal(BackupManifest.CurrentFormatVersion, target.ReadManifest(manifest.Id).FormatVersion);
        var file = Assert.Single(manifest.Files);
        Assert.True(file.Chunks!.Count > 3, $"{file.Chunks.Count} chunks");
        Assert.Equal([BackupManifest.FileName], Directory.GetFiles(Path.Combine(target.Root, manifest.Id)).Select(Path.GetFileName));
        Assert.True(report.Switched);
        Assert.Equal(original, File.ReadAllBytes(live));
        Assert.Equal(answers, TestIndexes.Answers(live));
        Assert.Equal(ChunkedTestData.Referenced(manifest).Count, ChunkedTestData.ChunkFiles(target).Count);
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));
        // The fetch says where its time went; a whole-file restore has no chunk parts to report.
        var parts = report.Steps.Single(s => s.Name == "checksums").Parts;
        Assert.Equal(["plan", "read", "decode", "wait", "write"], parts!.Select(p => p.Name));
        Assert.True(parts!.Single(p => p.Name == "decode").Elapsed > TimeSpan.Zero);
        IndexBackup.BackupFile(live, target, new BackupOptions { CreatedUtc = s_day.AddDays(1) });
        Assert.Null(IndexRestore.Restore(target, BackupSelector.Latest, live).Steps.Single(s => s.Name == "checksums").Parts);
    }

    [Fact]
    public void IndexChunked_AfterOnePercentNewVectors_StoresOnlyChangedChunks_EachOnce()
    {
        using var dir = new TempDirectory();
        // Wide enough that the vectors span several chunks, as in any index worth backing up.
        string live = dir.File("live.hnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 256, M = 8, EfConstruction = 32, Seed = 2 }))
        {
            index.AddRange(Datasets.RowLabels(5000), Datasets.Gaussian(5000, 256, seed: 2), maxDegreeOfParallelism: 1);
            index.Save(live);
        }
        var target = new LocalFolderTarget(dir.File("backups"));
        var options = new BackupOptions { Chunked = true, CreatedUtc = s_day };

        var first = IndexBackup.BackupFile(live, target, options);
        var same = IndexBackup.BackupFile(live, target, options with { CreatedUtc = s_day.AddHours(1) });
        ChunkedTestData.Grow(live, 50, seed: 3);
        long length = new FileInfo(live).Length;
        var grown = IndexBackup.BackupFile(live, target, options with { CreatedUtc = s_day.AddDays(1) });

        Assert.Equal(0, same.StoredBytes);
        // The vectors' chunks but the last are kept (4 of 5 MiB); the links, labels and the last vector chunk are new.
        Assert.True(grown.StoredBytes < length * 3 / 10, $"{grown.StoredBytes} of {length} bytes stored after 1 % new vectors");
        var vectorChunks = first.Files[0].Chunks!.Where(c => c.Length == ChunkLayout.AppendOnlyChunkBytes).Select(c => c.Sha256).ToHashSet();
        Assert.True(vectorChunks.Count >= 4, $"{vectorChunks.Count} whole vector chunks");
        Assert.Equal(vectorChunks.Count, grown.Files[0].Chunks!.Count(c => vectorChunks.Contains(c.Sha256)));
        var files = ChunkedTestData.ChunkFiles(target);
        Assert.Equal(ChunkedTestData.Referenced(first, grown).Count, files.Count);
        Assert.Equal(first.StoredBytes + grown.StoredBytes, files.Values.Sum(f => new FileInfo(f).Length));
        string restored = dir.File("restored.hnsw");
        IndexRestore.Restore(target, BackupSelector.ById(grown.Id), restored);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(restored));
    }

    [Fact]
    public void Restore_CorruptChunk_FailsNamingTheChunk_LiveUntouched()
    {
        using var dir = new TempDirectory();
        string source = TestIndexes.Save(dir, "source.hnsw", 2000, seed: 4);
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(source, target, new BackupOptions { Chunked = true });
        string live = TestIndexes.Save(dir, "live.hnsw", 100, seed: 5);
        byte[] liveBytes = File.ReadAllBytes(live);
        var victim = manifest.Files[0].Chunks![2];
        string path = ChunkedTestData.ChunkFiles(target)[victim.Sha256];
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<BackupIntegrityException>(() => IndexRestore.Restore(target, BackupSelector.Latest, live));

        Assert.Contains(victim.Sha256, e.Message, StringComparison.Ordinal);
        Assert.Contains("index.hnsw", e.Message, StringComparison.Ordinal);
        Assert.Equal(liveBytes, File.ReadAllBytes(live));
        Assert.Equal(["live.hnsw", "source.hnsw"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        File.Delete(path);
        var missing = Assert.Throws<BackupIntegrityException>(() => IndexRestore.Restore(target, BackupSelector.Latest, live));
        Assert.Contains($"chunk {victim.Sha256}", missing.Message, StringComparison.Ordinal);
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
        var health = Assert.Single(BackupCatalog.Load(target).Check());
        Assert.Equal(BackupState.Damaged, health.State);
        Assert.Contains(victim.Sha256, health.Problem!.Message, StringComparison.Ordinal);
        Assert.Equal(liveBytes, File.ReadAllBytes(live));
    }

    [Fact]
    public void StoreChunked_RoundTrip_AndDedupAfterOnePercentChanged()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var options = new BackupOptions { Chunked = true, CreatedUtc = s_day };
        Dictionary<string, List<string>> expected;
        BackupManifest first, second;
        long databaseBytes;
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 });
            TestStores.Fill(docs, 2000, seed: 6);
            client.GetOrCreateCollection("notes", new CollectionOptions { Dimensions = 4 }).Add(["a"], [[1, 0, 0, 0]]);
            client.Checkpoint();
            first = StoreBackup.Backup(client, target, options);
            var random = new Random(7);
            docs.Upsert([.. Enumerable.Range(0, 20).Select(i => "r" + (i * 97))], [.. Enumerable.Range(0, 20).Select(_ => TestStores.Vector(random, 8))]);
            second = StoreBackup.Backup(client, target, options with { CreatedUtc = s_day.AddDays(1) });
            expected = StoreBackupTests.Everything(client);
            databaseBytes = second.FileWithRole(StoreBackup.DatabaseRole).Length;
        }

        var report = StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));

        Assert.True(report.Switched);
        using (var restored = new PersistentClient(dir.File("restored"), s_quiet))
            Assert.Equal(expected, StoreBackupTests.Everything(restored));
        Assert.NotNull(first.FileWithRole(StoreBackup.DatabaseRole).Chunks);
        Assert.Contains(first.Files, f => f.Role == StoreBackup.CheckpointRole && f.Chunks is not null);
        long total = second.Files.Sum(f => f.Length);
        Assert.True(second.StoredBytes < total / 2, $"{second.StoredBytes} of {total} bytes stored after 1 % of the records changed (database {databaseBytes})");
    }

    [Fact]
    public void WholeFileBackups_BesideChunkedOnes_ListRestoreAndPrune()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 1500, seed: 8);
        var target = new LocalFolderTarget(dir.File("backups"));
        var old = IndexBackup.BackupFile(live, target, new BackupOptions { CreatedUtc = s_day.AddDays(-1) });
        byte[] oldBytes = File.ReadAllBytes(live);
        ChunkedTestData.Grow(live, 15, seed: 9);
        var chunked = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });

        Assert.Equal(BackupManifest.WholeFileFormatVersion, target.ReadManifest(old.Id).FormatVersion);
        // As the tool before chunks wrote it: format 1 without storedBytes.
        string manifestPath = Path.Combine(target.Root, old.Id, BackupManifest.FileName);
        string json = File.ReadAllText(manifestPath);
        File.WriteAllText(manifestPath, System.Text.RegularExpressions.Regex.Replace(json, ",\\s*\"storedBytes\": [0-9]+", ""));
        Assert.DoesNotContain("storedBytes", File.ReadAllText(manifestPath), StringComparison.Ordinal);
        Assert.Null(old.Files[0].Chunks);
        Assert.Equal([old.Id, chunked.Id], BackupCatalog.Load(target).Backups.Select(b => b.Id));
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));
        string restored = dir.File("old.hnsw");
        IndexRestore.Restore(target, BackupSelector.ById(old.Id), restored);
        Assert.Equal(oldBytes, File.ReadAllBytes(restored));

        var report = BackupPruner.Prune(target, new RetentionPolicy(daily: 1, weekly: 0, monthly: 0), dryRun: false);

        Assert.Equal([old.Id], report.Deleted);
        Assert.Equal(0, report.Chunks.Deleted);
        IndexRestore.Restore(target, BackupSelector.Latest, restored);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(restored));
    }

    [Fact]
    public void CopyChunked_ToAnotherTarget_CopiesOnlyMissingChunks_ChecksThem()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 2000, seed: 12);
        var from = new LocalFolderTarget(dir.File("from"));
        var to = new LocalFolderTarget(dir.File("to"));
        Directory.CreateDirectory(to.Root);
        var manifest = IndexBackup.BackupFile(live, from, new BackupOptions { Chunked = true });

        long stored;
        using (var writer = to.Begin(manifest.Id))
        {
            writer.CopyChunked(manifest.Files[0], from.Chunks);
            stored = writer.StoredBytes;
            writer.Commit(manifest);
        }
        var check = new MemoryStream();
        long read = BackupFiles.Read(to, to.ReadManifest(manifest.Id), manifest.Files[0], check);

        Assert.Equal(manifest.StoredBytes, stored);
        Assert.Equal(File.ReadAllBytes(live), check.ToArray());
        Assert.Equal(manifest.Files[0].Length, read);
        var victim = manifest.Files[0].Chunks![0];
        File.WriteAllBytes(ChunkedTestData.ChunkFiles(from)[victim.Sha256], ChunkCodec.Encode(new byte[victim.Length], compress: false));
        var other = new LocalFolderTarget(dir.File("other"));
        Directory.CreateDirectory(other.Root);
        using var broken = other.Begin(manifest.Id);
        var e = Assert.Throws<BackupIntegrityException>(() => broken.CopyChunked(manifest.Files[0], from.Chunks));
        Assert.Contains(victim.Sha256, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FormatOneManifestListingChunks_Refused()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 200, seed: 10);
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true });
        byte[] json = (manifest with { FormatVersion = 1 }).ToUtf8Json();

        var e = Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(json, manifest.Id));

        Assert.Contains("chunks are format 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatabasePages_CompressedOnlyWhenThatSavesAQuarter()
    {
        // Three random bytes in four, as in a page of float vectors: Zstandard saves some, not a quarter.
        var random = new Random(13);
        byte[] vectors = new byte[ChunkLayout.DatabaseChunkBytes];
        random.NextBytes(vectors);
        for (int i = 3; i < vectors.Length; i += 4)
            vectors[i] = 0x3f;
        byte[] ids = new byte[ChunkLayout.DatabaseChunkBytes];
        for (int i = 0; i < ids.Length; i += 4)
            BitConverter.TryWriteBytes(ids.AsSpan(i), random.Next(1000));

        int squeezed = ChunkCodec.Encode(vectors, ChunkedFileKind.Other, compress: true).Length;
        Assert.InRange(squeezed, ChunkLayout.CompressedBelow(ChunkedFileKind.Database, vectors.Length), ChunkLayout.CompressedBelow(ChunkedFileKind.Other, vectors.Length));
        Assert.Equal(vectors.Length + ChunkCodec.HeaderBytes, ChunkCodec.Encode(vectors, ChunkedFileKind.Database, compress: true).Length);
        Assert.True(ChunkCodec.Encode(ids, ChunkedFileKind.Database, compress: true).Length < ChunkLayout.CompressedBelow(ChunkedFileKind.Database, ids.Length) + ChunkCodec.HeaderBytes);
        Assert.Equal(ids.Length + ChunkCodec.HeaderBytes, ChunkCodec.Encode(ids, ChunkedFileKind.Database, compress: false).Length);
    }

    [Fact]
    public void ChunkCodec_DamagedFrames_Named()
    {
        byte[] chunk = new byte[5000];
        new Random(11).NextBytes(chunk.AsSpan(0, 100));
        string key = ChunkCodec.Key(chunk);
        byte[] framed = ChunkCodec.Encode(chunk, compress: true);
        byte[] back = new byte[chunk.Length];

        Assert.True(framed.Length < chunk.Length / 4, $"{framed.Length} bytes framed");
        Assert.Null(ChunkCodec.TryDecode(framed, key, back));
        Assert.Equal(chunk, back);
        Assert.Contains("frame is damaged", ChunkCodec.TryDecode(framed.AsSpan(0, 5), key, back), StringComparison.Ordinal);
        Assert.Contains("frame says", ChunkCodec.TryDecode(framed, key, new byte[10]), StringComparison.Ordinal);
        byte[] unknown = (byte[])framed.Clone();
        unknown[4] = 9;
        Assert.Contains("unknown codec", ChunkCodec.TryDecode(unknown, key, back), StringComparison.Ordinal);
        byte[] garbled = (byte[])framed.Clone();
        garbled[^3] ^= 0xff;
        Assert.NotNull(ChunkCodec.TryDecode(garbled, key, back));
        byte[] random = new byte[3000];
        new Random(12).NextBytes(random);
        Assert.Equal(random.Length + ChunkCodec.HeaderBytes, ChunkCodec.Encode(random, compress: true).Length);
    }
}

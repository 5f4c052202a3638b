using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// A store's database chunks in packs: stored once per target, read back by ranges, checked, collected a pack at a
/// time (repacked when mostly unreferenced), and found again after a prune moved them.
/// </summary>
public sealed class PackedChunkTests
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void StoreChunked_DatabaseInPacks_IndexChunksLoose_RestoresAndDedups()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var (first, second, expected) = TwoStoreBackups(dir, target);
        var database = Keys(first, StoreBackup.DatabaseRole);

        Assert.True(database.Count > 50, $"{database.Count} database chunks");
        Assert.All(database, k => Assert.NotNull(target.Chunks.Locate(k)));
        Assert.Empty(database.Intersect(ChunkedTestData.ChunkFiles(target).Keys));
        Assert.All(Keys(first, StoreBackup.CheckpointRole), k => Assert.Contains(k, ChunkedTestData.ChunkFiles(target).Keys));
        Assert.Equal(2, target.Chunks.ListPacks().Count);
        Assert.Equal(ChunkedTestData.Referenced(first, second), [.. target.Chunks.List().Select(c => c.Sha256)]);
        // What each backup says it stored is what the target holds (frames and index entries, each chunk once) and its whole files.
        long whole = first.Files.Concat(second.Files).Where(f => f.Chunks is null).Sum(f => f.Length);
        Assert.Equal(first.StoredBytes + second.StoredBytes, target.Chunks.List().Sum(c => c.StoredLength) + whole);
        Assert.True(second.StoredBytes < first.StoredBytes / 3, $"{second.StoredBytes} stored after 1 % changed, {first.StoredBytes} at first");
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));

        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));

        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    [Fact]
    public void Prune_KeepsAMostlyReferencedPackWhole_AndTheNewestRestores()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var (first, second, expected) = TwoStoreBackups(dir, target);
        var onlyFirst = ChunkedTestData.Referenced(first);
        onlyFirst.ExceptWith(ChunkedTestData.Referenced(second));
        var deadPacked = onlyFirst.Where(k => target.Chunks.Locate(k) is not null).ToList();
        Assert.NotEmpty(deadPacked);

        var report = BackupPruner.Prune(target, new RetentionPolicy(daily: 1, weekly: 0, monthly: 0), dryRun: false);

        Assert.Equal([first.Id], report.Deleted);
        // The first backup's pack is still mostly the second's pages: kept whole, its unreferenced pages with it.
        Assert.Equal(onlyFirst.Count - deadPacked.Count, report.Chunks.Deleted);
        Assert.Equal(2, target.Chunks.ListPacks().Count);
        Assert.Subset(target.Chunks.List().Select(c => c.Sha256).ToHashSet(), ChunkedTestData.Referenced(second));
        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    [Fact]
    public void Sweep_DeletesAnUnreferencedPack_RepacksAMostlyUnreferencedOne_KeepsAMostlyReferencedOne()
    {
        using var dir = new TempDirectory();
        var store = new LocalFolderTarget(dir.File("backups")).Chunks;
        var chunks = Enumerable.Range(0, 12).Select(i => Chunk(i)).ToList();
        PutPack(store, chunks[0..4]);
        PutPack(store, chunks[4..8]);
        PutPack(store, chunks[8..12]);
        string mostlyReferenced = store.Locate(chunks[8].Key)!.Value.Pack;
        // Pack 0: nothing referenced; pack 1: one of four; pack 2: three of four.
        HashSet<string> referenced = [chunks[5].Key, chunks[8].Key, chunks[9].Key, chunks[10].Key];

        var dry = ChunkCollector.Sweep(store, referenced, delete: false);
        Assert.Equal(3, store.ListPacks().Count);
        var sweep = ChunkCollector.Sweep(store, referenced, delete: true);

        Assert.Equal(dry, sweep);
        Assert.Equal(7, sweep.Deleted);
        Assert.Equal(5, sweep.Kept);
        var after = store.ListPacks();
        Assert.Equal(2, after.Count);
        Assert.Contains(after, p => p.Name == mostlyReferenced);
        Assert.Equal([chunks[5].Key], after.Single(p => p.Name != mostlyReferenced).Chunks.Select(c => c.Sha256));
        Assert.Equal([.. referenced.Append(chunks[11].Key).Order()], store.List().Select(c => c.Sha256).Order());
        Assert.Equal(chunks[5].Framed, store.TryRead(chunks[5].Key));
        Assert.Null(store.TryRead(chunks[0].Key));
    }

    [Fact]
    public void TryRead_AfterAnotherProcessRepackedThePack_FindsTheChunkInItsNewPack()
    {
        using var dir = new TempDirectory();
        var reader = new LocalFolderTarget(dir.File("backups")).Chunks;
        var chunks = Enumerable.Range(0, 4).Select(i => Chunk(i)).ToList();
        PutPack(reader, chunks);
        var before = reader.Locate(chunks[1].Key)!.Value;

        var pruner = new LocalFolderTarget(dir.File("backups")).Chunks;
        ChunkCollector.Sweep(pruner, [chunks[1].Key], delete: true);

        Assert.Null(reader.TryReadPack(before.Pack, before.Offset, before.StoredLength));
        Assert.Equal(chunks[1].Framed, reader.TryRead(chunks[1].Key));
        Assert.NotEqual(before.Pack, reader.Locate(chunks[1].Key)!.Value.Pack);
    }

    [Fact]
    public void Restore_DamagedPack_NamesChunkAndPack_TruncatedPackIsDamagedInTheCatalog()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var (_, second, _) = TwoStoreBackups(dir, target);
        var victim = second.FileWithRole(StoreBackup.DatabaseRole).Chunks![3];
        var where = target.Chunks.Locate(victim.Sha256)!.Value;
        string pack = Path.Combine(target.Root, ".chunks", "packs", where.Pack + ".pack");
        byte[] bytes = File.ReadAllBytes(pack);
        bytes[where.Offset + where.StoredLength - 1] ^= 0x40;
        File.WriteAllBytes(pack, bytes);

        var e = Assert.Throws<BackupIntegrityException>(() => StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored")));

        Assert.Contains(victim.Sha256, e.Message, StringComparison.Ordinal);
        Assert.Contains(where.Pack, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("restored")));
        File.WriteAllBytes(pack, bytes[..^1]);
        var health = BackupCatalog.Load(new LocalFolderTarget(target.Root)).Check();
        Assert.Contains(health, h => h.State == BackupState.Damaged && h.Problem!.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void PackIndex_RoundTrips_AndRefusesDamage()
    {
        var chunks = new List<PackedChunk> { new(Chunk(1).Key, 0, 40), new(Chunk(2).Key, 40, 100) };
        byte[] index = PackIndex.Encode(140, chunks);

        var pack = PackIndex.TryDecode("p", index);

        Assert.Equal(chunks, pack!.Chunks);
        Assert.Equal(140, pack.DataLength);
        for (int i = 0; i < index.Length; i += 7)
        {
            byte[] damaged = (byte[])index.Clone();
            damaged[i] ^= 1;
            Assert.Null(PackIndex.TryDecode("p", damaged));
        }
        Assert.Null(PackIndex.TryDecode("p", index[..^1]));
        Assert.Null(PackIndex.TryDecode("p", PackIndex.Encode(139, chunks)));
    }

    internal static (BackupManifest First, BackupManifest Second, Dictionary<string, List<string>> Expected) TwoStoreBackups(TempDirectory dir, IBackupTarget target)
    {
        var options = new BackupOptions { Chunked = true, CreatedUtc = s_day };
        using var client = new PersistentClient(dir.File("store"), s_quiet);
        var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 8 });
        TestStores.Fill(docs, 2000, seed: 6);
        client.Checkpoint();
        var first = StoreBackup.Backup(client, target, options);
        var random = new Random(7);
        docs.Upsert([.. Enumerable.Range(0, 20).Select(i => "r" + (i * 97))], [.. Enumerable.Range(0, 20).Select(_ => TestStores.Vector(random, 8))]);
        var second = StoreBackup.Backup(client, target, options with { CreatedUtc = s_day.AddDays(1) });
        return (first, second, StoreBackupTests.Everything(client));
    }

    [Fact]
    public void Prune_SweepsPackDataWithoutItsIndex_OnlyWrittenBeforeEveryLeaseInForce()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var (_, _, expected) = TwoStoreBackups(dir, target);
        var packs = target.Chunks.ListPacks().Select(p => p.Name).ToHashSet();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var now = time.GetUtcNow();
        // Data written, index never: what a backup or a repacking prune killed between the two leaves.
        string old = Orphan(target, seed: 1, now.AddHours(-3));
        string hourOld = Orphan(target, seed: 2, now.AddHours(-1));
        string fresh = Orphan(target, seed: 3, now.AddMinutes(-5));
        var keep = new RetentionPolicy(daily: 7, weekly: 0, monthly: 0);

        // Another prune's lease from two hours ago (it may be repacking): only data older than it goes.
        target.Chunks.WriteLease("gc-other", now.AddHours(-2));
        var dry = BackupPruner.Prune(target, keep, dryRun: true, time: time);
        Assert.Equal(3, OrphanNames(target).Count);
        var beside = BackupPruner.Prune(target, keep, dryRun: false, time: time);
        Assert.Equal(1, dry.Chunks.OrphanPacks);
        Assert.Equal(1, beside.Chunks.OrphanPacks);
        Assert.Equal(new[] { hourOld, fresh }.Order(StringComparer.Ordinal), OrphanNames(target));

        // A backup running: nothing is collected, orphans included.
        target.Chunks.DeleteLease("gc-other");
        target.Chunks.WriteLease("backup-running", now.AddMinutes(-1));
        Assert.NotNull(BackupPruner.Prune(target, keep, dryRun: false, time: time).Chunks.Skipped);
        Assert.Equal(new[] { hourOld, fresh }.Order(StringComparer.Ordinal), OrphanNames(target));

        // No lease in force: all but what was written within the clocks' margin.
        target.Chunks.DeleteLease("backup-running");
        var alone = BackupPruner.Prune(target, keep, dryRun: false, time: time);
        Assert.Equal(1, alone.Chunks.OrphanPacks);
        Assert.Equal([fresh], OrphanNames(target));
        Assert.DoesNotContain(old, OrphanNames(target));
        Assert.Equal(packs, target.Chunks.ListPacks().Select(p => p.Name).ToHashSet());
        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    [Fact]
    public void Prune_SweepsTemporaryFilesAKillLeft_OnlyWrittenBeforeEveryLeaseInForce()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var (_, _, expected) = TwoStoreBackups(dir, target);
        var chunks = target.Chunks.List().Select(c => c.Sha256).ToHashSet();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var now = time.GetUtcNow();
        // What WriteWhole leaves when killed between the write and the rename: a chunk's, and a pack's.
        string oldChunk = Temporary(target, Path.Combine(chunks.First()[..2], chunks.First() + ".0badf00d.tmp"), now.AddHours(-3));
        string oldPack = Temporary(target, Path.Combine("packs", new string('a', 64) + ".pack.0badf00d.tmp"), now.AddHours(-3));
        string hourOld = Temporary(target, Path.Combine("packs", new string('b', 64) + ".idx.0badf00d.tmp"), now.AddHours(-1));
        string fresh = Temporary(target, Path.Combine("ab", new string('a', 64) + ".12345678.tmp"), now.AddMinutes(-5));
        var keep = new RetentionPolicy(daily: 7, weekly: 0, monthly: 0);

        // A lease from two hours ago: only files older than it go, and a dry run only counts them.
        target.Chunks.WriteLease("gc-other", now.AddHours(-2));
        var dry = BackupPruner.Prune(target, keep, dryRun: true, time: time);
        Assert.Equal(2, dry.Chunks.TemporaryFiles);
        Assert.Equal(4, TemporaryNames(target).Count);
        var beside = BackupPruner.Prune(target, keep, dryRun: false, time: time);
        Assert.Equal(2, beside.Chunks.TemporaryFiles);
        Assert.Equal(new[] { hourOld, fresh }.Order(StringComparer.Ordinal), TemporaryNames(target));
        Assert.DoesNotContain(oldChunk, TemporaryNames(target));
        Assert.DoesNotContain(oldPack, TemporaryNames(target));

        // A backup running: nothing is swept.
        target.Chunks.DeleteLease("gc-other");
        target.Chunks.WriteLease("backup-running", now.AddMinutes(-1));
        Assert.NotNull(BackupPruner.Prune(target, keep, dryRun: false, time: time).Chunks.Skipped);
        Assert.Equal(2, TemporaryNames(target).Count);

        // No lease in force: all but what was written within the clocks' margin; the chunks themselves stay.
        target.Chunks.DeleteLease("backup-running");
        Assert.Equal(1, BackupPruner.Prune(target, keep, dryRun: false, time: time).Chunks.TemporaryFiles);
        Assert.Equal([fresh], TemporaryNames(target));
        Assert.Equal(chunks, target.Chunks.List().Select(c => c.Sha256).ToHashSet());
        StoreRestore.Restore(target, BackupSelector.Latest, dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"), s_quiet);
        Assert.Equal(expected, StoreBackupTests.Everything(restored));
    }

    private static string Temporary(LocalFolderTarget target, string relative, DateTimeOffset writtenUtc)
    {
        string path = Path.Combine(target.Root, ".chunks", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, writtenUtc.UtcDateTime);
        return Path.GetFileName(path);
    }

    private static List<string> TemporaryNames(LocalFolderTarget target) =>
        [.. Directory.EnumerateFiles(Path.Combine(target.Root, ".chunks"), "*.tmp", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    /// <summary>Writes pack data under a new name without an index, last written at <paramref name="writtenUtc"/>.</summary>
    private static string Orphan(LocalFolderTarget target, int seed, DateTimeOffset writtenUtc)
    {
        byte[] data = Chunk(seed).Framed;
        string name = ChunkCodec.Key(data);
        string path = Path.Combine(target.Root, ".chunks", "packs", name + ".pack");
        File.WriteAllBytes(path, data);
        File.SetLastWriteTimeUtc(path, writtenUtc.UtcDateTime);
        return name;
    }

    private static List<string> OrphanNames(LocalFolderTarget target) =>
        [.. Directory.EnumerateFiles(Path.Combine(target.Root, ".chunks", "packs"), "*.pack").Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !File.Exists(Path.Combine(target.Root, ".chunks", "packs", n + ".idx"))).Order(StringComparer.Ordinal)];

    private static HashSet<string> Keys(BackupManifest backup, string role) =>
        [.. backup.Files.Where(f => f.Role == role).SelectMany(f => f.Chunks!).Select(c => c.Sha256)];

    private static (string Key, byte[] Framed) Chunk(int seed)
    {
        byte[] bytes = new byte[1000 + seed];
        new Random(seed).NextBytes(bytes);
        return (ChunkCodec.Key(bytes), ChunkCodec.Encode(bytes, compress: false));
    }

    private static void PutPack(IChunkStore store, List<(string Key, byte[] Framed)> chunks)
    {
        var builder = new PackBuilder(store);
        foreach (var (key, framed) in chunks)
            builder.Add(key, framed);
        builder.Close();
        // As a backup does before its manifest: a local store renames what it wrote into place only here.
        store.Flush();
    }
}

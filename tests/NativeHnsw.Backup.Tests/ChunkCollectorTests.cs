using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Tests;

/// <summary>Garbage collection of chunks in prune: what no kept backup references goes, and never a running backup's.</summary>
public sealed class ChunkCollectorTests
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly RetentionPolicy s_newestOnly = new(daily: 1, weekly: 0, monthly: 0);

    [Fact]
    public void Prune_DeletesUnreferencedChunks_KeepsReferenced()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 3000, seed: 1);
        var target = new LocalFolderTarget(dir.File("backups"));
        var first = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        ChunkedTestData.Grow(live, 30, seed: 2);
        var second = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day.AddHours(1) });
        var onlyFirst = ChunkedTestData.Referenced(first);
        onlyFirst.ExceptWith(ChunkedTestData.Referenced(second));
        Assert.NotEmpty(onlyFirst);

        var dry = BackupPruner.Prune(target, s_newestOnly, dryRun: true);
        Assert.Equal(onlyFirst.Count, dry.Chunks.Deleted);
        Assert.Equal(ChunkedTestData.Referenced(first, second).Count, ChunkedTestData.ChunkFiles(target).Count);

        var report = BackupPruner.Prune(target, s_newestOnly, dryRun: false);

        Assert.Equal([first.Id], report.Deleted);
        Assert.Null(report.Chunks.Skipped);
        Assert.Equal(onlyFirst.Count, report.Chunks.Deleted);
        Assert.Equal(ChunkedTestData.Referenced(second), [.. ChunkedTestData.ChunkFiles(target).Keys]);
        string restored = dir.File("restored.hnsw");
        IndexRestore.Restore(target, BackupSelector.Latest, restored);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(restored));
        Assert.Empty(Directory.GetFiles(Path.Combine(target.Root, ".chunks", "leases")));
    }

    [Fact]
    public void Prune_WhileABackupIsRunning_DeletesNoChunk_ThenCollectsOnceItCommitted()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 3000, seed: 3);
        var target = new LocalFolderTarget(dir.File("backups"));
        var first = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        target.Delete(first.Id);
        // Every chunk is now unreferenced; a backup of the same file dedups against all of them while a prune runs.
        string id = BackupManifest.NewId(s_day.AddHours(1));
        var running = target.Begin(id);
        BackupFileEntry entry;
        using (var stream = File.OpenRead(live))
            entry = running.WriteChunked(IndexBackup.IndexFileName, IndexBackup.IndexRole, stream, ChunkedFileKind.Index);
        Assert.Equal(0, running.StoredBytes);

        var during = BackupPruner.Prune(target, s_newestOnly, dryRun: false);

        Assert.Contains(id, during.Chunks.Skipped, StringComparison.Ordinal);
        Assert.Equal(0, during.Chunks.Deleted);
        Assert.Equal(ChunkedTestData.Referenced(first).Count, ChunkedTestData.ChunkFiles(target).Count);
        running.Commit(first with { Id = id, CreatedUtc = s_day.AddHours(1), Files = [entry], StoredBytes = 0 });
        running.Dispose();
        var after = BackupPruner.Prune(target, s_newestOnly, dryRun: false);
        Assert.Null(after.Chunks.Skipped);
        Assert.Equal(0, after.Chunks.Deleted);
        string restored = dir.File("restored.hnsw");
        IndexRestore.Restore(target, BackupSelector.Latest, restored);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(restored));
    }

    [Fact]
    public void Backup_WhileAPruneCollects_StoresNothingAndSaysSo_StaleLeasesIgnored()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 500, seed: 4);
        var target = new LocalFolderTarget(dir.File("backups"));
        target.Chunks.WriteLease("gc-test", DateTimeOffset.UtcNow);

        var e = Assert.Throws<BackupTargetException>(() => IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true }));

        Assert.Contains("a prune is deleting unreferenced chunks", e.Message, StringComparison.Ordinal);
        Assert.Empty(ChunkedTestData.ChunkFiles(target));
        Assert.Empty(target.ListIds());
        Assert.Equal(["gc-test"], target.Chunks.ListLeases(DateTimeOffset.UtcNow).Select(l => l.Name));
        // A lease older than the lifetime is a dead prune's.
        target.Chunks.WriteLease("gc-test", DateTimeOffset.UtcNow - BackupWriter.LeaseLifetime - TimeSpan.FromMinutes(1));
        var manifest = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true });
        Assert.Equal([manifest.Id], target.ListIds());
    }

    [Fact]
    public void Prune_AfterAWriterDied_CollectsItsChunksOnceItsLeaseIsStale()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 2000, seed: 5);
        var target = new LocalFolderTarget(dir.File("backups"));
        var kept = IndexBackup.BackupFile(TestIndexes.Save(dir, "other.hnsw", 300, seed: 6), target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        var dead = target.Begin(BackupManifest.NewId(s_day.AddHours(1)));
        using (var stream = File.OpenRead(live))
            dead.WriteChunked(IndexBackup.IndexFileName, IndexBackup.IndexRole, stream, ChunkedFileKind.Index);
        // Not disposed: a killed process leaves its lease and its chunks.
        var now = new FakeTimeProvider(DateTimeOffset.UtcNow);

        var soon = BackupPruner.Prune(target, s_newestOnly, dryRun: false, time: now);
        now.Advance(BackupWriter.LeaseLifetime + TimeSpan.FromMinutes(1));
        var later = BackupPruner.Prune(target, s_newestOnly, dryRun: false, time: now);

        Assert.NotNull(soon.Chunks.Skipped);
        Assert.Null(later.Chunks.Skipped);
        Assert.True(later.Chunks.Deleted > 0);
        Assert.Equal(ChunkedTestData.Referenced(kept), [.. ChunkedTestData.ChunkFiles(target).Keys]);
        GC.KeepAlive(dead);
    }

    [Fact]
    public void Prune_WithAnUnreadableManifest_DeletesNoChunk()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 500, seed: 7);
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = s_day });
        string path = Path.Combine(target.Root, manifest.Id, BackupManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace($"\"formatVersion\": {BackupManifest.CurrentFormatVersion}", "\"formatVersion\": 99", StringComparison.Ordinal));

        var report = BackupPruner.Prune(target, s_newestOnly, dryRun: false);

        Assert.Contains("cannot be read", report.Chunks.Skipped, StringComparison.Ordinal);
        Assert.Equal(ChunkedTestData.Referenced(manifest).Count, ChunkedTestData.ChunkFiles(target).Count);
    }
}

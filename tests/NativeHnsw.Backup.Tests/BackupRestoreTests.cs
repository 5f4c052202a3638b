using System.Text;

namespace NativeHnsw.Backup.Tests;

public sealed class BackupRestoreTests
{
    [Fact]
    public void BackupFile_ThenRestoreOverChangedLive_AnswersAsOriginal()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 600, seed: 1);
        var before = TestIndexes.Answers(live);
        byte[] original = File.ReadAllBytes(live);
        var target = new LocalFolderTarget(dir.File("backups"));

        var manifest = IndexBackup.BackupFile(live, target);
        TestIndexes.Save(dir, "live.hnsw", 300, seed: 2); // the live data moves on
        var report = IndexRestore.Restore(target, BackupSelector.Latest, live);

        Assert.True(report.Switched);
        Assert.Equal(manifest.Id, report.Backup.Id);
        Assert.Equal(original, File.ReadAllBytes(live));
        Assert.Equal(before, TestIndexes.Answers(live));
        Assert.Equal(["select", "checksums", "verify", "open", "counts", "queries", "switch"], report.Steps.Select(s => s.Name));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [Fact]
    public void BackupIndex_LiveIndex_ManifestRecordsShapeCountsAndChecksum()
    {
        using var dir = new TempDirectory();
        using var index = TestIndexes.Build(400, seed: 3, DistanceMetric.L2);
        index.MarkDeleted(5);
        var target = new LocalFolderTarget(dir.File("backups"));
        var when = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

        var manifest = IndexBackup.BackupIndex(index, "service:docs", target, new BackupOptions { CreatedUtc = when });

        var read = target.ReadManifest(manifest.Id);
        Assert.Equal(BackupManifest.WholeFileFormatVersion, read.FormatVersion);
        Assert.Equal(when, read.CreatedUtc);
        Assert.Equal(BackupKind.Full, read.Kind);
        Assert.Null(read.Parent);
        Assert.Equal("service:docs", read.Source);
        Assert.Equal(399, read.Index!.Count);
        Assert.Equal(400, read.Index.NodeCount);
        Assert.Equal(1, read.Index.DeletedCount);
        Assert.Equal(DistanceMetric.L2, read.Index.Metric);
        Assert.Equal(8, read.Index.M);
        var file = Assert.Single(read.Files);
        string stored = Path.Combine(target.Root, manifest.Id, file.Name);
        Assert.Equal(new FileInfo(stored).Length, file.Length);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(stored))), file.Sha256);
        Assert.StartsWith("20250314T092653000Z-", manifest.Id, StringComparison.Ordinal);
        Assert.Equal(8, read.Probe!.Expected.Count);
    }

    [Fact]
    public void Restore_ByIdAndBefore_PicksThatBackup()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        string source = dir.File("source.hnsw");
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            TestIndexes.Save(dir, "source.hnsw", 100 + (50 * i), seed: 10 + i);
            ids.Add(IndexBackup.BackupFile(source, target, new BackupOptions { CreatedUtc = t0.AddDays(i) }).Id);
        }
        string live = dir.File("live.hnsw");

        Assert.Equal(ids[0], IndexRestore.Restore(target, BackupSelector.ById(ids[0]), live).Backup.Id);
        Assert.Equal(100, HnswIndex.Verify(live).Count);
        Assert.Equal(ids[1], IndexRestore.Restore(target, BackupSelector.Before(t0.AddDays(1).AddHours(5)), live).Backup.Id);
        Assert.Equal(150, HnswIndex.Verify(live).Count);
        Assert.Equal(ids[2], IndexRestore.Restore(target, BackupSelector.Latest, live).Backup.Id);
        var e = Assert.Throws<BackupNotFoundException>(() => IndexRestore.Restore(target, BackupSelector.Before(t0.AddDays(-1)), live));
        Assert.Contains("no backup", e.Message, StringComparison.Ordinal);
        Assert.Equal(200, HnswIndex.Verify(live).Count);
    }

    [Fact]
    public void DryRun_AllChecksPass_LiveUntouchedAndNothingLeftBehind()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 200, seed: 4);
        var target = new LocalFolderTarget(dir.File("backups"));
        IndexBackup.BackupFile(live, target);
        TestIndexes.Save(dir, "live.hnsw", 50, seed: 5);
        byte[] current = File.ReadAllBytes(live);

        var report = IndexRestore.Restore(target, BackupSelector.Latest, live, new RestoreOptions { DryRun = true });

        Assert.True(report.DryRun);
        Assert.False(report.Switched);
        Assert.DoesNotContain(report.Steps, s => s.Name == "switch");
        Assert.Equal(current, File.ReadAllBytes(live));
        Assert.Equal(["live.hnsw"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Drill_RestoresIntoScratch_ReportsTimedStepsAndCleansUp()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 200, seed: 6);
        var target = new LocalFolderTarget(dir.File("backups"));
        IndexBackup.BackupFile(live, target);

        var report = IndexRestore.Drill(target, BackupSelector.Latest, dir.File("scratch"));

        Assert.Equal("load", report.Steps[^1].Name);
        Assert.True(report.Total > TimeSpan.Zero);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("scratch")));
    }

    // ---- bad input: each names the backup and the problem, and leaves the live file byte-identical ----

    private static (TempDirectory Dir, string Live, LocalFolderTarget Target, BackupManifest Manifest, byte[] LiveBytes) Setup()
    {
        var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 300, seed: 7);
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(live, target);
        TestIndexes.Save(dir, "live.hnsw", 120, seed: 8);
        return (dir, live, target, manifest, File.ReadAllBytes(live));
    }

    private static void AssertRestoreFails<TException>(LocalFolderTarget target, string live, byte[] liveBytes, string backupId, string expected, BackupSelector? selector = null)
        where TException : BackupException
    {
        var e = Assert.Throws<TException>(() => IndexRestore.Restore(target, selector ?? BackupSelector.ById(backupId), live));
        Assert.Equal(backupId, e.BackupId);
        Assert.Contains(backupId, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(liveBytes, File.ReadAllBytes(live));
        Assert.Equal(["live.hnsw"], Directory.GetFiles(Path.GetDirectoryName(live)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Restore_TamperedFile_FailsOnChecksum_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        string stored = Path.Combine(target.Root, manifest.Id, IndexBackup.IndexFileName);
        byte[] bytes = File.ReadAllBytes(stored);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(stored, bytes);

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, "SHA-256");
    }

    [Fact]
    public void Restore_TruncatedFile_FailsOnLength_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        string stored = Path.Combine(target.Root, manifest.Id, IndexBackup.IndexFileName);
        using (var f = new FileStream(stored, FileMode.Open))
            f.SetLength(f.Length - 100);

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, "truncated");
    }

    [Fact]
    public void Restore_MissingFile_NamesTheFile_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        File.Delete(Path.Combine(target.Root, manifest.Id, IndexBackup.IndexFileName));

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, $"'{IndexBackup.IndexFileName}' is missing", BackupSelector.Latest);
    }

    [Fact]
    public void Restore_NewerManifest_Refused_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        string path = Path.Combine(target.Root, manifest.Id, BackupManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"formatVersion\": 1", $"\"formatVersion\": {BackupManifest.CurrentFormatVersion + 1}", StringComparison.Ordinal));

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, "newer than this tool understands");
        var catalog = BackupCatalog.Load(target);
        Assert.Empty(catalog.Backups);
        Assert.Equal(manifest.Id, Assert.Single(catalog.Problems).BackupId);
    }

    [Fact]
    public void Restore_TamperedManifestCount_FailsOnCounts_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        string path = Path.Combine(target.Root, manifest.Id, BackupManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"count\": 300", "\"count\": 299", StringComparison.Ordinal));

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, "does not match the manifest");
    }

    [Fact]
    public void Restore_PartialBackupWithoutManifest_ReportedAsPartial_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        File.Delete(Path.Combine(target.Root, manifest.Id, BackupManifest.FileName));

        AssertRestoreFails<BackupIntegrityException>(target, live, liveBytes, manifest.Id, "partial");
        Assert.Empty(target.ListIds());
    }

    [Fact]
    public void Restore_BrokenChain_NamesMissingParent_LiveUntouched()
    {
        var (dir, live, target, manifest, liveBytes) = Setup();
        using var _ = dir;
        var incremental = manifest with
        {
            Id = "20990101T000000000Z-abcdef",
            CreatedUtc = manifest.CreatedUtc.AddHours(1),
            Kind = BackupKind.Incremental,
            Parent = "20000101T000000000Z-000000",
        };
        using (var writer = target.Begin(incremental.Id))
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes("delta"));
            var entry = writer.Write("delta.bin", "delta", stream);
            writer.Commit(incremental with { Files = [entry] });
        }

        AssertRestoreFails<BackupChainException>(target, live, liveBytes, incremental.Id, "broken chain: parent '20000101T000000000Z-000000'", BackupSelector.Latest);
    }

    [Fact]
    public void Restore_UnknownId_SaysItDoesNotExist()
    {
        var (dir, live, target, _, liveBytes) = Setup();
        using var _ = dir;

        AssertRestoreFails<BackupNotFoundException>(target, live, liveBytes, "20200101T000000000Z-aaaaaa", "does not exist");
    }

    [Fact]
    public void Backup_DamagedSource_Refused_NothingVisible()
    {
        using var dir = new TempDirectory();
        string live = TestIndexes.Save(dir, "live.hnsw", 100, seed: 9);
        byte[] bytes = File.ReadAllBytes(live);
        bytes[^10] ^= 1;
        File.WriteAllBytes(live, bytes);
        var target = new LocalFolderTarget(dir.File("backups"));

        Directory.CreateDirectory(dir.File("tmp"));
        var e = Assert.Throws<IndexFormatException>(() => IndexBackup.BackupFile(live, target, new BackupOptions { TempDirectory = dir.File("tmp") }));

        // The user's file is named, never the temporary snapshot it was verified through.
        Assert.Equal(Path.GetFullPath(live), e.FilePath);
        Assert.Contains(Path.GetFullPath(live), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(dir.File("tmp"), e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("tmp")));
        Assert.False(Directory.Exists(target.Root) && Directory.EnumerateFileSystemEntries(target.Root).Any());
    }

    [Fact]
    public void Writer_DisposedWithoutCommit_LeavesNoVisibleOrStagedBackup()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.Path);
        using (var writer = target.Begin("20250101T000000000Z-000001"))
        {
            using var stream = new MemoryStream([1, 2, 3]);
            writer.Write("a.bin", "data", stream);
        }

        Assert.Empty(target.ListIds());
        Assert.Empty(Directory.GetDirectories(dir.Path));
    }

    [Fact]
    public void Manifest_RoundTripsThroughJson()
    {
        var m = new BackupManifest
        {
            FormatVersion = 1,
            Id = "x-1",
            CreatedUtc = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Kind = BackupKind.Incremental,
            Parent = "x-0",
            SourceKind = BackupSourceKind.Store,
            Source = "/data",
            ToolVersion = "0.1.0",
            Store = new StoreSummary(7, []),
            Files = [new BackupFileEntry("delta.bin", "delta", 3, new string('a', 64))],
        };

        var back = BackupManifest.Parse(m.ToUtf8Json(), "x-1");

        Assert.Equal(m.ToJson(), back.ToJson());
        Assert.Contains("\"kind\": \"incremental\"", m.ToJson(), StringComparison.Ordinal);
        Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(m.ToUtf8Json(), "x-2"));
        Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse("{\"formatVersion\": 1, \"id\":"u8, "x-1"));
    }
}

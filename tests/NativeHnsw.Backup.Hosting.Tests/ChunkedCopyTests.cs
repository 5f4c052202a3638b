using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// Chunked index backups through the service: copied offsite (local and s3rver) chunk by chunk and read back whole,
/// scrubbed chunk by chunk, measured for quotas by the chunks the target holds (each once), collected by prune.
/// </summary>
public sealed class ChunkedCopyTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private const string KeyVariable = "NHNSW_HOSTING_TESTS_S3_KEY";
    private static readonly DateTimeOffset s_start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Offsite_LocalToLocal_CopiesChunks_ScrubsThem_CountsThemOnce_PruneCollects()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_start);
        string live = TestSources.SaveIndex(dir.File("docs.hnsw"), count: 5000, dimensions: 64);
        var hot = new LocalFolderTarget(dir.File("hot"));
        var (first, second) = TwoChunkedBackups(live, hot, time);
        var policy = Policy(live, dir, new TargetPolicy { Name = "off", Type = TargetType.Local, Path = dir.File("off"), Tier = "hot" });
        var executor = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);

        var copied = Run(executor, policy, JobType.Offsite);

        Assert.Equal(JobOutcome.Succeeded, copied.Outcome);
        Assert.Equal([first.Id, second.Id], copied.Events.Where(e => e.Kind == JobEventKind.BackupMade && e.Target == "off").Select(e => e.BackupId));
        var off = new LocalFolderTarget(dir.File("off"));
        Assert.All(off.ListIds(), id => Assert.Empty(off.ListFiles(id)));
        Assert.Equal(ChunkedTestData.Referenced(first, second), [.. ChunkedTestData.ChunkFiles(off).Keys]);
        AssertRestoresIdentical(off, second, live, dir.File("restored.hnsw"));

        // Quota and cost: the chunks the target holds, each once, as stored; not the files' lengths summed per backup.
        long held = ChunkedTestData.ChunkFiles(off).Values.Sum(f => new FileInfo(f).Length);
        Assert.Equal(held, CapacityHistory.Measure(off, time.GetUtcNow()).Bytes);
        Assert.Equal(held, BackupJobExecutor.CostReport(policy).Single(r => r.Target == "off").Bytes);
        Assert.True(held < first.Files.Sum(f => f.Length) + second.Files.Sum(f => f.Length));

        var clean = TargetScrubber.Scrub(off, time, CancellationToken.None);
        Assert.All(clean.Findings, f => Assert.Equal(BackupState.Ok, f.State));

        // One byte flipped in a chunk only the newer backup holds: that backup is damaged and marked, the older one is not.
        string onlySecond = ChunkedTestData.Referenced(second).Except(ChunkedTestData.Referenced(first)).First();
        Damage(ChunkedTestData.ChunkFiles(off)[onlySecond]);
        var damaged = TargetScrubber.Scrub(off, time, CancellationToken.None);
        Assert.Equal(BackupState.Ok, damaged.Findings.Single(f => f.Backup.Id == first.Id).State);
        var bad = damaged.Findings.Single(f => f.Backup.Id == second.Id);
        Assert.Equal(BackupState.Damaged, bad.State);
        Assert.Contains(onlySecond[..8], bad.Problem, StringComparison.Ordinal);
        Assert.Equal(DamageMark.Damaged, DamageMarks.Read(off)[second.Id].State);
        Assert.DoesNotContain(first.Id, DamageMarks.Read(off).Keys);

        // Retention keeps one backup a day: the older goes from both targets, and its chunks with it.
        var pruned = Run(executor, policy with { Retention = new RetentionSettings(Daily: 1, Weekly: 0, Monthly: 0) }, JobType.Prune);
        Assert.Equal(JobOutcome.Succeeded, pruned.Outcome);
        Assert.Equal([second.Id], hot.ListIds());
        Assert.Equal(ChunkedTestData.Referenced(second), [.. ChunkedTestData.ChunkFiles(hot).Keys]);
        Assert.Equal(ChunkedTestData.Referenced(second), [.. ChunkedTestData.ChunkFiles(off).Keys]);
        AssertRestoresIdentical(hot, second, live, dir.File("restored-after-prune.hnsw"));
    }

    [Fact]
    public void Offsite_LocalToS3_CopiesChunks_ReadsBackAndScrubsClean()
    {
        Assert.SkipWhen(s3.SkipReason is not null, s3.SkipReason ?? "");
        Environment.SetEnvironmentVariable(KeyVariable, "S3RVER");
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_start);
        string live = TestSources.SaveIndex(dir.File("docs.hnsw"), count: 5000, dimensions: 64);
        var hot = new LocalFolderTarget(dir.File("hot"));
        var (first, second) = TwoChunkedBackups(live, hot, time);
        var s3Target = new TargetPolicy
        {
            Name = "s3",
            Type = TargetType.S3,
            Tier = "cold",
            Bucket = S3rverFixture.Bucket,
            Prefix = "chunked-" + Guid.NewGuid().ToString("N"),
            Endpoint = s3.Endpoint,
            AccessKeyVariable = KeyVariable,
            SecretKeyVariable = KeyVariable,
        };
        var policy = Policy(live, dir, s3Target);
        var executor = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);

        var copied = Run(executor, policy, JobType.Offsite);

        Assert.Equal(JobOutcome.Succeeded, copied.Outcome);
        Assert.Equal([first.Id, second.Id], copied.Events.Where(e => e.Kind == JobEventKind.BackupMade && e.Target == "s3").Select(e => e.BackupId));
        using var targets = new PolicyTargets(policy);
        var remote = targets["s3"];
        Assert.Equal(ChunkedTestData.Referenced(first, second), [.. remote.Chunks.List().Select(c => c.Sha256)]);
        AssertRestoresIdentical(remote, second, live, dir.File("restored.hnsw"));
        Assert.Equal(remote.Chunks.List().Sum(c => c.StoredLength), CapacityHistory.Measure(remote, time.GetUtcNow()).Bytes);
        Assert.All(Run(executor, policy, JobType.Scrub).Events, e => Assert.Equal(0, e.Failures));
        // A second offsite run finds both there and copies nothing.
        Assert.DoesNotContain(Run(executor, policy, JobType.Offsite).Events, e => e.Kind == JobEventKind.BackupMade);
    }

    [Fact]
    public void Sync_StoreBackups_CopiesAPackAsAPack_UnlessTheDestinationHoldsSomeOfIt()
    {
        using var dir = new TempDirectory();
        var from = new LocalFolderTarget(dir.File("from"));
        var first = ChunkedStoreBackup(dir, from, 0, 300, s_start);
        var second = ChunkedStoreBackup(dir, from, 300, 30, s_start.AddHours(1));
        var packs = from.Chunks.ListPacks();
        var firstPages = ChunkedTestData.Referenced(first);
        var secondOnly = Assert.Single(packs, p => p.Chunks.All(c => !firstPages.Contains(c.Sha256)));
        Assert.True(secondOnly.Chunks.Count > 1);
        // The destination already holds one page of the second backup's pack, loose: that pack is not copied whole.
        var to = new LocalFolderTarget(dir.File("to"));
        string held = secondOnly.Chunks[0].Sha256;
        to.Chunks.Put(held, from.Chunks.TryRead(held)!);

        var report = TargetSync.Run(from, to, since: null, dryRun: false, CancellationToken.None);

        Assert.Equal(2, report.Copied);
        Assert.Equal(packs.Select(p => p.Name).Where(n => n != secondOnly.Name).Order(), to.Chunks.ListPacks().Select(p => p.Name).Order());
        var loose = ChunkedTestData.ChunkFiles(to).Keys.ToHashSet();
        var secondReferenced = ChunkedTestData.Referenced(second);
        Assert.Equal(secondOnly.Chunks.Select(c => c.Sha256).Where(secondReferenced.Contains).Append(held).ToHashSet(), loose.Where(k => secondOnly.Chunks.Any(c => c.Sha256 == k)).ToHashSet());
        Assert.DoesNotContain(loose, k => packs.Any(p => p.Name != secondOnly.Name && p.Chunks.Any(c => c.Sha256 == k)));
        Assert.Equal(StoreDump(from, second, dir.File("expected")), StoreDump(to, second, dir.File("restored")));
    }

    [Fact]
    public void Sync_DamagedFrameInAPack_PackNotCopiedWhole_TheDamagedChunkNamed()
    {
        using var dir = new TempDirectory();
        var from = new LocalFolderTarget(dir.File("from"));
        var backup = ChunkedStoreBackup(dir, from, 0, 300, s_start);
        var pack = from.Chunks.ListPacks()[0];
        var victim = pack.Chunks[pack.Chunks.Count / 2];
        string data = Path.Combine(from.Root, ".chunks", "packs", pack.Name + ".pack");
        using (var file = new FileStream(data, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = victim.Offset + victim.StoredLength - 1;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x5A));
        }
        var to = new LocalFolderTarget(Directory.CreateDirectory(dir.File("to")).FullName);

        var report = TargetSync.Run(from, to, since: null, dryRun: false, CancellationToken.None);

        var item = Assert.Single(report.Items);
        Assert.Equal(SyncOutcome.Failed, item.Outcome);
        Assert.Contains(victim.Sha256, item.Reason, StringComparison.Ordinal);
        Assert.Empty(to.Chunks.ListPacks());
        Assert.Empty(to.ListIds());
        GC.KeepAlive(backup);
    }

    /// <summary>Adds records <paramref name="first"/> .. +<paramref name="count"/> to the store in <paramref name="dir"/>, then backs it up as chunks.</summary>
    private static BackupManifest ChunkedStoreBackup(TempDirectory dir, IBackupTarget target, int first, int count, DateTimeOffset createdUtc)
    {
        TestSources.AddToStore(dir.File("store"), first, count);
        return StoreBackup.Backup(dir.File("store"), target, new BackupOptions { Chunked = true, CreatedUtc = createdUtc });
    }

    /// <summary>Every record of the store backup <paramref name="backup"/> in <paramref name="target"/>, restored into <paramref name="folder"/>.</summary>
    private static List<string> StoreDump(IBackupTarget target, BackupManifest backup, string folder)
    {
        StoreRestore.Restore(target, BackupSelector.ById(backup.Id), folder);
        using var client = new NativeHnsw.Storage.PersistentClient(folder);
        return [.. client.ListCollections().SelectMany(c => client.GetCollection(c).Get().Select(r => $"{c}/{r.Id}")).Order(StringComparer.Ordinal)];
    }

    /// <summary>Two chunked backups of a growing index, an hour apart: some chunks shared (its vectors pass 1 MiB, one chunk), some only in the newer.</summary>
    private static (BackupManifest First, BackupManifest Second) TwoChunkedBackups(string live, IBackupTarget target, FakeTimeProvider time)
    {
        var first = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = time.GetUtcNow() });
        ChunkedTestData.Grow(live, 30, seed: 11);
        time.Advance(TimeSpan.FromHours(1));
        var second = IndexBackup.BackupFile(live, target, new BackupOptions { Chunked = true, CreatedUtc = time.GetUtcNow() });
        Assert.All(first.Files.Concat(second.Files), f => Assert.NotNull(f.Chunks));
        Assert.NotEmpty(ChunkedTestData.Referenced(second).Except(ChunkedTestData.Referenced(first)));
        Assert.NotEmpty(ChunkedTestData.Referenced(second).Intersect(ChunkedTestData.Referenced(first)));
        return (first, second);
    }

    private static BackupPolicy Policy(string live, TempDirectory dir, TargetPolicy offsite)
    {
        var policy = new BackupPolicy
        {
            Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = live, Target = "hot" }],
            Targets = [new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = dir.File("hot"), Tier = "hot" }, offsite],
            Offsite = new OffsiteSettings { Target = offsite.Name },
        };
        policy.Validate();
        return policy;
    }

    private static JobRunResult Run(BackupJobExecutor executor, BackupPolicy policy, JobType type) =>
        executor.Run(policy, new JobPolicy { Name = "j", Type = type, Cron = "0 * * * *" }, CancellationToken.None);

    private static void AssertRestoresIdentical(IBackupTarget target, BackupManifest backup, string live, string path)
    {
        IndexRestore.Restore(target, BackupSelector.ById(backup.Id), path);
        Assert.Equal(File.ReadAllBytes(live), File.ReadAllBytes(path));
    }

    private static void Damage(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }
}

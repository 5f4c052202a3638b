using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>The jobs against real index files, real stores and local-folder targets, on a fake clock that stamps the backups.</summary>
public sealed class JobExecutorTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly BackupJobExecutor _executor;
    private readonly BackupPolicy _policy;

    public JobExecutorTests()
    {
        _executor = new BackupJobExecutor(_time, NullLogger<BackupJobExecutor>.Instance);
        string index = TestSources.SaveIndex(_dir.File("docs.hnsw"));
        AddToStore(0, 40);
        _policy = new BackupPolicy
        {
            Sources =
            [
                new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = index, Target = "hot" },
                new SourcePolicy { Name = "chat", Type = SourceType.Store, Path = _dir.File("store"), Target = "hot" },
            ],
            Targets =
            [
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = _dir.File("hot"), Tier = "hot", PricePerGbMonth = 0.1 },
                new TargetPolicy { Name = "warm", Type = TargetType.Local, Path = _dir.File("warm"), Tier = "warm" },
                new TargetPolicy { Name = "off", Type = TargetType.Local, Path = _dir.File("off"), Tier = "cold" },
            ],
            Tiers = [new TierRule { Tier = "hot", ToDays = 7 }, new TierRule { Tier = "warm", FromDays = 7, ToDays = 30 }, new TierRule { Tier = "cold", FromDays = 30 }],
            Offsite = new OffsiteSettings { Target = "off" },
            Drill = new DrillSettings { ScratchFolder = _dir.File("scratch") },
        };
        _policy.Validate();
    }

    public void Dispose()
    {
        _executor.Dispose();
        _dir.Dispose();
    }

    private JobRunResult Run(JobType type, BackupPolicy? policy = null) =>
        _executor.Run(policy ?? _policy, new JobPolicy { Name = type.ToString().ToLowerInvariant(), Type = type, Cron = "0 * * * *" }, CancellationToken.None);

    private void AddToStore(int from, int count) => TestSources.AddToStore(_dir.File("store"), from, count);

    private List<BackupManifest> In(string target) => [.. BackupCatalog.Load(new LocalFolderTarget(_dir.File(target))).Backups];

    [Fact]
    public void SnapshotIncrementalDrill_MakeRealBackups_AndDrillTheNewest()
    {
        var snapshot = Run(JobType.Snapshot);
        Assert.Equal(JobOutcome.Succeeded, snapshot.Outcome);
        Assert.All(snapshot.Events, e => Assert.Equal(JobEventKind.BackupMade, e.Kind));
        Assert.All(snapshot.Events, e => Assert.Equal(s_start, e.BackupCreatedUtc));

        AddToStore(40, 5);
        _time.Advance(TimeSpan.FromHours(1));
        var incremental = Run(JobType.Incremental);
        Assert.Equal(JobOutcome.Succeeded, incremental.Outcome);
        Assert.Equal(JobEventKind.Skipped, incremental.Events.Single(e => e.Source == "docs").Kind);
        var made = incremental.Events.Single(e => e.Source == "chat");
        var manifest = In("hot").Single(m => m.Id == made.BackupId);
        Assert.Equal(BackupKind.Incremental, manifest.Kind);
        Assert.Equal(snapshot.Events.Single(e => e.Source == "chat").BackupId, manifest.Parent);

        var drill = Run(JobType.Drill);
        Assert.Equal(JobOutcome.Succeeded, drill.Outcome);
        Assert.All(drill.Events, e => Assert.Equal(JobEventKind.DrillPassed, e.Kind));
        Assert.Equal(made.BackupId, drill.Events.Single(e => e.Source == "chat").BackupId);
        Assert.All(drill.Events, e => Assert.True(e.Elapsed > TimeSpan.Zero));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.File("scratch")));

        var strict = _policy with { Sources = [.. _policy.Sources.Select(s => s with { Rto = TimeSpan.FromTicks(1) })] };
        var late = Run(JobType.Drill, strict);
        Assert.Equal(JobOutcome.Failed, late.Outcome);
        Assert.All(late.Events, e => Assert.Contains("against an RTO", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void FirstIncremental_WithNoBaseToChainTo_TakesAFullBackup()
    {
        var result = Run(JobType.Incremental);
        var chat = result.Events.Single(e => e.Source == "chat");
        Assert.Equal(JobEventKind.BackupMade, chat.Kind);
        Assert.Contains("full backup instead", chat.Message, StringComparison.Ordinal);
        Assert.Equal(BackupKind.Full, In("hot").Single().Kind);
    }

    [Fact]
    public void Offsite_CopiesEachBackupOnceAndVerified_ScrubFindsDamage()
    {
        Run(JobType.Snapshot);
        var copied = Run(JobType.Offsite);
        Assert.Equal(2, copied.Events.Count(e => e.Kind == JobEventKind.BackupMade && e.Target == "off"));
        Assert.Equal(In("hot").Select(m => m.Id).Order(), In("off").Select(m => m.Id).Order());
        Assert.Empty(Run(JobType.Offsite).Events);

        var clean = Run(JobType.Scrub);
        Assert.All(clean.Events, e => Assert.Equal(0, e.Failures));
        var victim = In("off").Single(m => m.SourceKind == BackupSourceKind.Index);
        string file = Path.Combine(_dir.File("off"), victim.Id, victim.Files[0].Name);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var scrub = Run(JobType.Scrub);
        Assert.Equal(JobOutcome.Failed, scrub.Outcome);
        Assert.Equal(1, scrub.Events.Single(e => e.Source == "docs").Failures);
        Assert.Equal(0, scrub.Events.Single(e => e.Source == "chat").Failures);
    }

    [Fact]
    public void Offsite_FromADamagedBackup_FailsAndLeavesNoCopy()
    {
        Run(JobType.Snapshot);
        var victim = In("hot").Single(m => m.SourceKind == BackupSourceKind.Index);
        string file = Path.Combine(_dir.File("hot"), victim.Id, victim.Files[0].Name);
        var bytes = File.ReadAllBytes(file);
        bytes[100] ^= 1;
        File.WriteAllBytes(file, bytes);
        var result = Run(JobType.Offsite);
        Assert.Equal(JobOutcome.Failed, result.Outcome);
        Assert.Contains("does not match its manifest", result.Events.Single(e => e.Kind == JobEventKind.BackupFailed).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(In("off"), m => m.Id == victim.Id);
        Assert.Empty(Directory.GetDirectories(_dir.File("off"), ".staging-*"));
    }

    [Fact]
    public void Tiers_MoveWholeChainsByAge_AndTheMovedChainStillRestores()
    {
        Run(JobType.Snapshot);
        AddToStore(40, 5);
        _time.Advance(TimeSpan.FromHours(1));
        Run(JobType.Incremental);
        Run(JobType.Offsite);
        Assert.Equal(3, In("off").Count);
        // Young offsite copies sit in the cold tier; a tier move never pulls them back to hot.
        Assert.Empty(Run(JobType.Tiers).Events);
        _time.Advance(TimeSpan.FromDays(6));
        Assert.Empty(Run(JobType.Tiers).Events);
        Assert.Equal(3, In("off").Count);
        _time.Advance(TimeSpan.FromDays(1));
        var moved = Run(JobType.Tiers);
        Assert.Equal(JobOutcome.Succeeded, moved.Outcome);
        Assert.Empty(In("hot"));
        Assert.Equal(3, In("warm").Count);
        var drill = Run(JobType.Drill);
        Assert.All(drill.Events, e => Assert.Equal(JobEventKind.DrillPassed, e.Kind));
        Assert.All(drill.Events, e => Assert.Equal("warm", e.Target));
        _time.Advance(TimeSpan.FromDays(30));
        Run(JobType.Tiers);
        Assert.Empty(In("warm"));
        Assert.Equal(3, In("off").Count);
    }

    [Fact]
    public void Prune_CountsPerSourceOverEveryTarget_AndDeletesEveryCopy()
    {
        for (int day = 0; day < 10; day++)
        {
            Run(JobType.Snapshot);
            Run(JobType.Offsite);
            _time.Advance(TimeSpan.FromDays(1));
        }
        var policy = _policy with { Retention = new RetentionSettings(3, 0, 0) };
        var result = Run(JobType.Prune, policy);
        Assert.Equal(JobOutcome.Succeeded, result.Outcome);
        foreach (string target in new[] { "hot", "off" })
        {
            var left = In(target);
            Assert.Equal(3, left.Count(m => m.SourceKind == BackupSourceKind.Index));
            Assert.Equal(3, left.Count(m => m.SourceKind == BackupSourceKind.Store));
            Assert.All(left, m => Assert.True(m.CreatedUtc >= s_start.AddDays(7)));
        }
        Assert.Equal(2 * 7 * 2, result.Events.Count(e => e.Kind == JobEventKind.Removed));
    }

    [Fact]
    public void Quota_RefusesAWriteThatWouldExceedIt_AndAPolicyBelowWhatIsStored()
    {
        Run(JobType.Snapshot);
        var tight = _policy with { Targets = [.. _policy.Targets.Select(t => t.Name == "hot" ? t with { QuotaGb = 1e-6 } : t)] };
        var result = Run(JobType.Snapshot, tight);
        Assert.All(result.Events, e => Assert.Contains("quota", e.Message, StringComparison.Ordinal));
        var e = Assert.Throws<PolicyException>(() => BackupJobExecutor.CheckQuotas(tight, "p.json"));
        Assert.Equal("$.targets[0].quotaGb", e.JsonPath);
        BackupJobExecutor.CheckQuotas(_policy);
    }

    [Fact]
    public void CostReport_PricesWhatEachTargetStores()
    {
        Run(JobType.Snapshot);
        var rows = BackupJobExecutor.CostReport(_policy);
        var hot = rows.Single(r => r.Target == "hot");
        long bytes = In("hot").Sum(m => m.Files.Sum(f => f.Length));
        Assert.Equal(bytes, hot.Bytes);
        Assert.Equal(bytes / 1e9 * 0.1, hot.MonthlyCost!.Value, 12);
        Assert.Null(rows.Single(r => r.Target == "warm").MonthlyCost);
        Assert.Equal(JobOutcome.Succeeded, Run(JobType.Report).Outcome);
    }

    [Fact]
    public void Incremental_StoreUnchangedSinceTheNewestBackup_IsSkippedAsUnchanged_UntilAnyChange()
    {
        Assert.Equal(JobOutcome.Succeeded, Run(JobType.Snapshot).Outcome);
        var full = In("hot").Single(b => b.SourceKind == BackupSourceKind.Store);
        var chat = _policy with { Jobs = [] };
        JobRunResult Incremental()
        {
            _time.Advance(TimeSpan.FromHours(1));
            return _executor.Run(chat, new JobPolicy { Name = "hourly", Type = JobType.Incremental, Cron = "0 * * * *", Sources = ["chat"] }, CancellationToken.None);
        }

        var idle = Assert.Single(Incremental().Events);
        Assert.Equal(JobEventKind.Unchanged, idle.Kind);
        Assert.Equal(full.Id, idle.BackupId);
        Assert.Equal($"skipped: unchanged since {full.Id}", idle.Message);

        // A metadata-only change writes no record, yet it is a change the next incremental must carry.
        using (var client = new NativeHnsw.Storage.PersistentClient(_dir.File("store")))
            client.GetCollection("docs").Modify(metadata: new Dictionary<string, object?> { ["owner"] = "ops" });
        var afterMetadata = Assert.Single(Incremental().Events);
        Assert.Equal(JobEventKind.BackupMade, afterMetadata.Kind);
        Assert.Equal(JobEventKind.Unchanged, Assert.Single(Incremental().Events).Kind);

        AddToStore(40, 1);
        var afterRecord = Assert.Single(Incremental().Events);
        Assert.Equal(JobEventKind.BackupMade, afterRecord.Kind);
        var skipped = Incremental();
        Assert.Equal(JobEventKind.Unchanged, Assert.Single(skipped.Events).Kind);
        Assert.Equal(afterRecord.BackupId, skipped.Events[0].BackupId);
        Assert.EndsWith("1 unchanged", skipped.Message, StringComparison.Ordinal);

        // Only backups were taken, never an empty one, and the newest restores the metadata and the new record.
        Assert.Equal(3, In("hot").Count(b => b.SourceKind == BackupSourceKind.Store));
        StoreRestore.Restore(new LocalFolderTarget(_dir.File("hot")), BackupSelector.ById(afterRecord.BackupId!), _dir.File("restored"));
        using var restored = new NativeHnsw.Storage.PersistentClient(_dir.File("restored"));
        var docs = restored.GetCollection("docs");
        Assert.Equal(41, docs.Count());
        Assert.Equal("ops", docs.Metadata!["owner"]);
    }

    [Fact]
    public void Incremental_AnotherRunnersNewerBackupOfTheUnchangedStore_TheSkipStands()
    {
        var own = Run(JobType.Snapshot).Events.Single(e => e.Source == "chat");
        // Someone else backs the store up meanwhile, with no change in between: their backup holds what this runner's does.
        _time.Advance(TimeSpan.FromMinutes(10));
        using (var other = new BackupJobExecutor(_time, NullLogger<BackupJobExecutor>.Instance))
            other.Run(_policy, new JobPolicy { Name = "manual", Type = JobType.Snapshot, Cron = "0 * * * *", Sources = ["chat"] }, CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(1));

        var incremental = Run(JobType.Incremental);

        var skipped = Assert.Single(incremental.Events, e => e.Source == "chat");
        Assert.Equal((JobEventKind.Unchanged, own.BackupId), (skipped.Kind, skipped.BackupId));
        Assert.Equal(2, In("hot").Count(b => b.SourceKind == BackupSourceKind.Store));
    }

    [Fact]
    public void Incremental_OwnBackupGoneFromTheTarget_IsNotSkipped()
    {
        var own = Run(JobType.Snapshot).Events.Single(e => e.Source == "chat");
        _time.Advance(TimeSpan.FromMinutes(10));
        var newest = Run(JobType.Snapshot).Events.Single(e => e.Source == "chat");
        // Its newest backup deleted behind its back (a hand prune): the store is unchanged, but this runner's record
        // names a backup that is gone, so it takes a real incremental on the one left.
        _time.Advance(TimeSpan.FromHours(1));
        new LocalFolderTarget(_dir.File("hot")).Delete(newest.BackupId!);

        var incremental = Run(JobType.Incremental);

        var made = Assert.Single(incremental.Events, e => e.Source == "chat");
        Assert.Equal(JobEventKind.BackupMade, made.Kind);
        Assert.Contains(own.BackupId!, made.Message, StringComparison.Ordinal);
    }
}

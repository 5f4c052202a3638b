using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary><c>nhnsw backups --policy</c> and <c>nhnsw prune --policy</c>: one catalog over every tier of a policy.</summary>
public sealed class PolicyCatalogCliTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 6, 1, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly BackupPolicy _policy;
    private readonly string _file;

    public PolicyCatalogCliTests()
    {
        _policy = new BackupPolicy
        {
            Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 60, dimensions: 4), Target = "hot" }],
            Targets =
            [
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = _dir.File("hot"), Tier = "hot" },
                new TargetPolicy { Name = "off", Type = TargetType.Local, Path = _dir.File("off"), Tier = "cold" },
            ],
            Offsite = new OffsiteSettings { Target = "off" },
            Retention = new RetentionSettings(2, 0, 0),
        };
        _policy.Validate();
        _file = _dir.File("policy.json");
        File.WriteAllText(_file, _policy.ToJson());
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Three daily snapshots, each copied offsite: every backup in both targets.</summary>
    private List<string> ThreeDays()
    {
        using var executor = new BackupJobExecutor(_time, NullLogger<BackupJobExecutor>.Instance);
        for (int day = 0; day < 3; day++)
        {
            Assert.Equal(JobOutcome.Succeeded, executor.Run(_policy, new JobPolicy { Name = "s", Type = JobType.Snapshot, Cron = "0 2 * * *" }, CancellationToken.None).Outcome);
            Assert.Equal(JobOutcome.Succeeded, executor.Run(_policy, new JobPolicy { Name = "o", Type = JobType.Offsite, Cron = "0 3 * * *" }, CancellationToken.None).Outcome);
            _time.Advance(TimeSpan.FromDays(1));
        }
        return [.. BackupCatalog.Load(new LocalFolderTarget(_dir.File("hot"))).Backups.OrderBy(b => b.CreatedUtc).Select(b => b.Id)];
    }

    [Fact]
    public void Backups_Policy_ListsEachBackupOnce_WithItsTiers_AndADamagedCopy()
    {
        var ids = ThreeDays();
        var off = new LocalFolderTarget(_dir.File("off"));
        DamageMarks.Set(off, new DamageMark(ids[2], s_start, DamageMark.Damaged, "SHA-256 mismatch"));

        var r = CliSession.Run("backups", "--policy", _file, "--json");

        Assert.Equal(NhnswCli.Failed, r.Code);
        var listed = JsonDocument.Parse(r.Out).RootElement.GetProperty("backups").EnumerateArray().ToList();
        Assert.Equal(ids, listed.Select(b => b.GetProperty("id").GetString()));
        Assert.All(listed, b => Assert.Equal("docs", b.GetProperty("source").GetString()));
        Assert.All(listed, b => Assert.Equal(["hot", "cold"], b.GetProperty("copies").EnumerateArray().Select(c => c.GetProperty("tier").GetString())));
        // A good copy in the hot tier keeps the backup good; its cold copy shows the scrub's finding.
        Assert.Equal("ok", listed[2].GetProperty("state").GetString());
        var cold = listed[2].GetProperty("copies")[1];
        Assert.Equal("damaged", cold.GetProperty("state").GetString());
        Assert.Contains("SHA-256 mismatch", cold.GetProperty("problem").GetString(), StringComparison.Ordinal);

        var text = CliSession.Run("backups", "--policy", _file);
        Assert.Contains("3 backup(s) in 2 target(s), 6 copies", text.Out, StringComparison.Ordinal);
        Assert.Contains("cold (off: damaged)", text.Out, StringComparison.Ordinal);

        Assert.Equal(NhnswCli.BadUsage, CliSession.Run("backups", "--policy", _file, "--target", _dir.File("hot")).Code);
        Assert.Equal(NhnswCli.BadUsage, CliSession.Run("backups").Code);
    }

    [Fact]
    public void Prune_Policy_PlansOverTheWholeCatalog_AndDeletesFromEveryTier()
    {
        var ids = ThreeDays();

        var dry = CliSession.Run("prune", "--policy", _file, "--dry-run", "--json");
        Assert.Equal(0, dry.Code);
        var source = JsonDocument.Parse(dry.Out).RootElement.GetProperty("sources")[0];
        // Two daily backups kept of three: counted once each, not once per copy.
        Assert.Equal(ids[1..], source.GetProperty("kept").EnumerateArray().Select(k => k.GetProperty("id").GetString()));
        var pruned = Assert.Single(source.GetProperty("pruned").EnumerateArray());
        Assert.Equal(ids[0], pruned.GetProperty("id").GetString());
        Assert.Equal(["hot", "off"], pruned.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.All(new[] { "hot", "off" }, t => Assert.Equal(3, BackupCatalog.Load(new LocalFolderTarget(_dir.File(t))).Backups.Count));

        // Refused while a runner holds a target's lease.
        var runner = new FolderLease(_dir.File("off"), "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        Assert.True(runner.TryAcquire(out _));
        var refused = CliSession.Run("prune", "--policy", _file);
        Assert.Equal(NhnswCli.Failed, refused.Code);
        Assert.Contains("leased by runner", refused.Err + refused.Out, StringComparison.Ordinal);
        runner.Release();

        var real = CliSession.Run("prune", "--policy", _file);
        Assert.Equal(0, real.Code);
        Assert.Contains($"delete {ids[0]}  docs from hot", real.Out, StringComparison.Ordinal);
        Assert.Contains($"delete {ids[0]}  docs from off", real.Out, StringComparison.Ordinal);
        Assert.All(new[] { "hot", "off" }, t =>
        {
            Assert.Equal(ids[1..], BackupCatalog.Load(new LocalFolderTarget(_dir.File(t))).Backups.OrderBy(b => b.CreatedUtc).Select(b => b.Id));
            Assert.Null(FolderLease.Read(_dir.File(t)));
        });
        Assert.Equal(NhnswCli.BadUsage, CliSession.Run("prune", "--policy", _file, "--daily", "3").Code);
    }

    [Fact]
    public void ManualBackupSyncPruneAndScrub_TakeTheTargetsLease_AndSweepWhatAnOverLeaseLeft()
    {
        string index = TestSources.SaveIndex(_dir.File("manual.hnsw"), count: 50, dimensions: 4);
        string hot = _dir.File("hot"), off = _dir.File("off");
        // A backup that cannot run takes no lease, so it makes no target folder either.
        Assert.Equal(NhnswCli.BadUsage, CliSession.Run("backup", _dir.File("no-such.hnsw"), "--target", _dir.File("fresh")).Code);
        Assert.False(Directory.Exists(_dir.File("fresh")));
        Assert.Equal(0, CliSession.Run("backup", index, "--target", hot).Code);
        Assert.Null(FolderLease.Read(hot));

        // A runner's job at work on each target in turn: every command that would write there is refused, naming it.
        foreach (var (folder, args) in new[]
        {
            (hot, new[] { "backup", index, "--target", hot }),
            (off, new[] { "sync", "--from", hot, "--to", off }),
            (hot, new[] { "prune", "--target", hot, "--daily", "1" }),
            (hot, new[] { "scrub", "--target", hot }),
        })
        {
            var runner = new FolderLease(folder, "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
            Assert.True(runner.TryAcquire(out _));
            var refused = CliSession.Run(args);
            Assert.Equal(NhnswCli.Failed, refused.Code);
            Assert.Contains("is leased by runner", refused.Err, StringComparison.Ordinal);
            runner.Release();
        }
        Assert.Single(new LocalFolderTarget(hot).ListIds());
        Assert.Empty(Directory.GetDirectories(off));

        // A writer under a lease that is over (a killed command's, say, on another host): the next command holding the
        // lease sweeps its staging at once, with no day's wait.
        IBackupWriter killed;
        var target = new LocalFolderTarget(hot);
        using (WriterLease.Enter("lease-over", [target.Description]))
        {
            killed = target.Begin("killed-1");
            killed.Write("a.bin", "data", new MemoryStream([1]));
        }
        string staging = Assert.Single(Directory.GetDirectories(hot, ".staging-killed-1-*"));
        File.WriteAllText(staging + ".owner", File.ReadAllText(staging + ".owner").Replace(Environment.MachineName, "another-host", StringComparison.Ordinal));
        var prune = CliSession.Run("prune", "--target", hot, "--daily", "7");
        Assert.Equal(0, prune.Code);
        Assert.Contains("sweep " + Path.GetFileName(staging), prune.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(staging));
        Assert.Equal(0, CliSession.Run("sync", "--from", hot, "--to", off).Code);
        Assert.Null(FolderLease.Read(hot));
        Assert.Null(FolderLease.Read(off));
        // Only reading, a scrub that marks nothing needs no lease.
        var runnerAtWork = new FolderLease(hot, "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        Assert.True(runnerAtWork.TryAcquire(out _));
        Assert.Equal(0, CliSession.Run("scrub", "--target", hot, "--no-mark").Code);
        runnerAtWork.Release();
        killed.Dispose();
    }
}

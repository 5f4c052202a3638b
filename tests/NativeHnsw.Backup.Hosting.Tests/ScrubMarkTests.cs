using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>A scrub marks damaged copies beside them (never in the manifest); restores and drills pass marked copies over, to the nearest good one.</summary>
public sealed class ScrubMarkTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 4, 1, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly BackupJobExecutor _executor;
    private readonly BackupPolicy _policy;

    public ScrubMarkTests()
    {
        _executor = new BackupJobExecutor(_time, NullLogger<BackupJobExecutor>.Instance);
        TestSources.AddToStore(_dir.File("store"), 0, 30);
        _policy = new BackupPolicy
        {
            Sources =
            [
                new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 80, dimensions: 4), Target = "hot" },
                new SourcePolicy { Name = "chat", Type = SourceType.Store, Path = _dir.File("store"), Target = "hot" },
            ],
            Targets =
            [
                // Listed cold first: "nearest" follows the tier rules (hot before cold), not the list.
                new TargetPolicy { Name = "off", Type = TargetType.Local, Path = _dir.File("off"), Tier = "cold" },
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = _dir.File("hot"), Tier = "hot" },
            ],
            Tiers = [new TierRule { Tier = "hot", ToDays = 7 }, new TierRule { Tier = "cold", FromDays = 7 }],
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

    private JobRunResult Run(JobType type) => _executor.Run(_policy, new JobPolicy { Name = "j", Type = type, Cron = "0 * * * *" }, CancellationToken.None);

    private static List<BackupManifest> In(string folder) => [.. BackupCatalog.Load(new LocalFolderTarget(folder)).Backups];

    private static void Flip(string folder, BackupManifest backup, int file = 0)
    {
        string path = Path.Combine(folder, backup.Id, backup.Files[file].Name);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliSession.Run(args);

    [Fact]
    public void Incremental_NeverSkipsOnNorChainsToAMarkedBackup_AndTakesAFullWhenAllAreMarked()
    {
        string hot = _dir.File("hot");
        BackupManifest Made(JobRunResult run)
        {
            var e = run.Events.Single(e => e.Source == "chat");
            Assert.Equal(JobEventKind.BackupMade, e.Kind);
            return In(hot).Single(m => m.Id == e.BackupId);
        }
        var full = Made(Run(JobType.Snapshot));
        _time.Advance(TimeSpan.FromHours(1));
        TestSources.AddToStore(_dir.File("store"), 30, 2);
        var changed = Made(Run(JobType.Incremental));
        Assert.Equal(full.Id, changed.Parent);

        // The incremental's delta is damaged: the scrub marks it. The store has not changed since it, but a marked backup
        // holds nothing to rely on: no skip, and the next incremental chains to the newest unmarked backup instead.
        Flip(hot, changed);
        Run(JobType.Scrub);
        Assert.Equal([changed.Id], DamageMarks.Read(new LocalFolderTarget(hot)).Keys);
        _time.Advance(TimeSpan.FromHours(1));
        var again = Made(Run(JobType.Incremental));
        Assert.Equal((BackupKind.Incremental, full.Id), (again.Kind, again.Parent));
        StoreRestore.Restore(new LocalFolderTarget(hot), BackupSelector.ById(again.Id), _dir.File("restored"));
        using (var restored = new NativeHnsw.Storage.PersistentClient(_dir.File("restored")))
            Assert.Equal(32, restored.GetCollection("docs").Count());

        // The full backup damaged too: every backup of the store is marked (the rest as broken chains), so a full one.
        Flip(hot, full);
        Run(JobType.Scrub);
        Assert.Equal(3, DamageMarks.Read(new LocalFolderTarget(hot)).Count(m => In(hot).Any(b => b.Id == m.Key && b.SourceKind == BackupSourceKind.Store)));
        _time.Advance(TimeSpan.FromHours(1));
        var run = Run(JobType.Incremental);
        Assert.Equal(BackupKind.Full, Made(run).Kind);
        Assert.Contains("marked by a scrub", run.Events.Single(e => e.Source == "chat").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Drill_SkipsTheMarkedHotCopy_ForTheColdOne_ThenAnOlderBackup_AndAFixedCopyLosesItsMark()
    {
        Run(JobType.Snapshot);
        _time.Advance(TimeSpan.FromDays(1));
        Run(JobType.Snapshot);
        Run(JobType.Offsite);
        string hot = _dir.File("hot"), off = _dir.File("off");
        var newest = In(hot).Where(m => m.SourceKind == BackupSourceKind.Index).MaxBy(m => m.CreatedUtc)!;
        string manifestBefore = File.ReadAllText(Path.Combine(hot, newest.Id, BackupManifest.FileName));

        // Damage the hot copy: the scrub marks it in 'hot' only, and the drill takes the same backup from 'off'.
        Flip(hot, newest);
        var scrub = Run(JobType.Scrub);
        Assert.Equal(JobOutcome.Failed, scrub.Outcome);
        Assert.Equal(1, scrub.Events.Single(e => e.Source == "docs").Failures);
        Assert.Equal(manifestBefore, File.ReadAllText(Path.Combine(hot, newest.Id, BackupManifest.FileName)));
        var marks = DamageMarks.Read(new LocalFolderTarget(hot));
        Assert.Equal(DamageMark.Damaged, Assert.Single(marks).Value.State);
        Assert.Empty(DamageMarks.Read(new LocalFolderTarget(off)));
        var drill = Run(JobType.Drill).Events.Single(e => e.Source == "docs");
        Assert.Equal(JobEventKind.DrillPassed, drill.Kind);
        Assert.Equal((newest.Id, "off"), (drill.BackupId, drill.Target));
        Assert.Contains($"skipped {newest.Id} in hot (marked damaged", drill.Message, StringComparison.Ordinal);
        // The other source is untouched: its newest backup is drilled from the hot tier.
        Assert.Equal("hot", Run(JobType.Drill).Events.Single(e => e.Source == "chat").Target);

        // Damage the cold copy too: the drill falls back to the older backup, from the hot tier.
        Flip(off, newest);
        Run(JobType.Scrub);
        var older = Run(JobType.Drill).Events.Single(e => e.Source == "docs");
        Assert.Equal(JobEventKind.DrillPassed, older.Kind);
        Assert.NotEqual(newest.Id, older.BackupId);
        Assert.Equal("hot", older.Target);

        // A copy whole again (the flip undone) loses its mark at the next scrub.
        Flip(hot, newest);
        Run(JobType.Scrub);
        Assert.DoesNotContain(newest.Id, DamageMarks.Read(new LocalFolderTarget(hot)).Keys);
        Assert.Contains(newest.Id, DamageMarks.Read(new LocalFolderTarget(off)).Keys);
        Assert.Equal(newest.Id, Run(JobType.Drill).Events.Single(e => e.Source == "docs").BackupId);
    }

    [Fact]
    public void Scrub_MarksAnIncrementalWhoseParentIsDamaged_AsBrokenChain()
    {
        Run(JobType.Snapshot);
        TestSources.AddToStore(_dir.File("store"), 30, 4);
        _time.Advance(TimeSpan.FromHours(1));
        Run(JobType.Incremental);
        string hot = _dir.File("hot");
        var full = In(hot).Single(m => m.SourceKind == BackupSourceKind.Store && m.Kind == BackupKind.Full);
        var incremental = In(hot).Single(m => m.Kind == BackupKind.Incremental);
        Flip(hot, full);

        var report = TargetScrubber.Scrub(new LocalFolderTarget(hot), _time, CancellationToken.None);

        Assert.Equal(BackupState.Damaged, report.Findings.Single(f => f.Backup.Id == full.Id).State);
        var chained = report.Findings.Single(f => f.Backup.Id == incremental.Id);
        Assert.Equal(BackupState.BrokenChain, chained.State);
        Assert.Contains(full.Id, chained.Problem, StringComparison.Ordinal);
        var marks = DamageMarks.Read(new LocalFolderTarget(hot));
        Assert.Equal(DamageMark.BrokenChain, marks[incremental.Id].State);
        Assert.Equal(BackupState.Ok, report.Findings.Single(f => f.Backup.SourceKind == BackupSourceKind.Index).State);
        // No good copy of the store anywhere: the drill fails, naming why.
        var drill = Run(JobType.Drill).Events.Single(e => e.Source == "chat");
        Assert.Equal(JobEventKind.DrillFailed, drill.Kind);
        Assert.Contains("no good copy", drill.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_ScrubExits1AndMarks_RestoreAndDrillTakeTheNewestGoodBackup_SayingWhichWasSkipped()
    {
        string hot = Directory.CreateDirectory(_dir.File("cli")).FullName;
        var target = new LocalFolderTarget(hot);
        string index = _policy.Sources[0].Path;
        var first = IndexBackup.BackupFile(index, target, new BackupOptions { CreatedUtc = s_start });
        var second = IndexBackup.BackupFile(index, target, new BackupOptions { CreatedUtc = s_start.AddHours(1) });

        var clean = Cli("scrub", "--target", hot, "--json");
        Assert.Equal(0, clean.Code);
        Assert.True(JsonDocument.Parse(clean.Out).RootElement.GetProperty("ok").GetBoolean());

        Flip(hot, second);
        var damaged = Cli("scrub", "--target", hot, "--json");
        Assert.Equal(NhnswCli.Failed, damaged.Code);
        var rows = JsonDocument.Parse(damaged.Out).RootElement.GetProperty("backups").EnumerateArray().ToList();
        Assert.Equal("damaged", rows.Single(r => r.GetProperty("id").GetString() == second.Id).GetProperty("state").GetString());
        Assert.Equal("ok", rows.Single(r => r.GetProperty("id").GetString() == first.Id).GetProperty("state").GetString());
        Assert.True(File.Exists(Path.Combine(hot, IBackupSidecars.Folder, "scrub", second.Id + ".json")));

        string live = _dir.File("live.hnsw");
        var restore = Cli("restore", "--target", hot, "--to", live);
        Assert.Equal(0, restore.Code);
        Assert.Contains($"skipped {second.Id}", restore.Out, StringComparison.Ordinal);
        Assert.Contains($"restored {first.Id}", restore.Out, StringComparison.Ordinal);
        var drill = Cli("drill", "--target", hot, "--scratch", _dir.File("scratch-cli"), "--json");
        Assert.Equal(0, drill.Code);
        Assert.Equal(first.Id, JsonDocument.Parse(drill.Out).RootElement.GetProperty("backup").GetString());
        // Asked for by id, a marked backup is refused with the scrub's finding, not restored.
        var byId = Cli("restore", "--target", hot, "--to", live, "--id", second.Id);
        Assert.Equal(NhnswCli.Failed, byId.Code);
        Assert.Contains("marked damaged", byId.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_RestoreAndDrillWithAPolicy_TakeTheNewestGoodCopyFromTheNearestTierHoldingOne()
    {
        Run(JobType.Snapshot);
        _time.Advance(TimeSpan.FromDays(1));
        Run(JobType.Snapshot);
        Run(JobType.Offsite);
        string hot = _dir.File("hot");
        var newest = In(hot).Where(m => m.SourceKind == BackupSourceKind.Index).MaxBy(m => m.CreatedUtc)!;
        string policyFile = _dir.File("policy.json");
        File.WriteAllText(policyFile, _policy.ToJson());
        string live = _dir.File("live-policy.hnsw");

        // Whole in hot: taken from hot, the nearest tier, though 'off' is listed first.
        var fromHot = Cli("restore", "--policy", policyFile, "--source", "docs", "--to", live);
        Assert.Equal(0, fromHot.Code);
        Assert.Contains($"using {newest.Id} from target 'hot' (tier hot)", fromHot.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(_policy.Sources[0].Path), File.ReadAllBytes(live));

        // The hot copy damaged and marked: the same backup from the cold copy, the skipped copy named with its target.
        Flip(hot, newest);
        Run(JobType.Scrub);
        var fromCold = Cli("restore", "--policy", policyFile, "--source", "docs", "--to", live);
        Assert.Equal(0, fromCold.Code);
        Assert.Contains($"skipped {newest.Id} in hot:", fromCold.Out, StringComparison.Ordinal);
        Assert.Contains($"using {newest.Id} from target 'off' (tier cold)", fromCold.Out, StringComparison.Ordinal);
        var drill = Cli("drill", "--policy", policyFile, "--source", "chat", "--scratch", _dir.File("scratch-policy"), "--json");
        Assert.Equal(0, drill.Code);
        Assert.Equal(In(hot).Where(m => m.SourceKind == BackupSourceKind.Store).MaxBy(m => m.CreatedUtc)!.Id, JsonDocument.Parse(drill.Out).RootElement.GetProperty("backup").GetString());

        // Bad usage names what is wrong.
        var unknown = Cli("restore", "--policy", policyFile, "--source", "nope", "--to", live);
        Assert.Equal(NhnswCli.BadUsage, unknown.Code);
        Assert.Contains("no source 'nope'", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(NhnswCli.BadUsage, Cli("restore", "--policy", policyFile, "--to", live).Code);
        Assert.Equal(NhnswCli.BadUsage, Cli("restore", "--policy", policyFile, "--source", "docs", "--target", hot, "--to", live).Code);
        Assert.Equal(NhnswCli.BadUsage, Cli("restore", "--to", live).Code);
    }
}

using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>The capacity history targets keep of themselves, and the report built on it (growth, days to quota, cost, RPO, RTO, chart).</summary>
public sealed class CapacityReportTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 6, 1, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly BackupJobExecutor _executor;
    private readonly BackupPolicy _policy;

    public CapacityReportTests()
    {
        _executor = new BackupJobExecutor(_time, NullLogger<BackupJobExecutor>.Instance);
        _policy = new BackupPolicy
        {
            Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 100, dimensions: 8), Target = "hot", Rpo = TimeSpan.FromHours(26) }],
            Targets =
            [
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = _dir.File("hot"), Tier = "hot", QuotaGb = 1, PricePerGbMonth = 0.25 },
                new TargetPolicy { Name = "cold", Type = TargetType.Local, Path = _dir.File("cold"), Tier = "cold" },
            ],
            Tiers = [new TierRule { Tier = "hot", ToDays = 7 }, new TierRule { Tier = "cold", FromDays = 7 }],
            Drill = new DrillSettings { ScratchFolder = _dir.File("scratch") },
        };
        _policy.Validate();
    }

    public void Dispose() => _dir.Dispose();

    private JobRunResult Run(JobType type, BackupPolicy? policy = null) =>
        _executor.Run(policy ?? _policy, new JobPolicy { Name = "j", Type = type, Cron = "0 * * * *" }, CancellationToken.None);

    private long BackupBytes => BackupCatalog.Load(new LocalFolderTarget(_dir.File("hot"))).Backups.Sum(b => b.Files.Sum(f => f.Length));

    [Fact]
    public void Jobs_RecordOneSamplePerDay_AndTheReportMeasuresGrowthAndDaysToQuota()
    {
        long one = 0;
        for (int day = 0; day < 12; day++)
        {
            Run(JobType.Snapshot);
            if (day == 0)
                one = BackupBytes;
            // A second run the same day leaves that day's sample as the first one wrote it: one write a day.
            _time.Advance(TimeSpan.FromHours(1));
            Run(JobType.Snapshot);
            _time.Advance(TimeSpan.FromHours(23));
        }
        var history = CapacityHistory.Read(new LocalFolderTarget(_dir.File("hot")));
        Assert.Equal(12, history.Count);
        Assert.Equal(Enumerable.Range(0, 12).Select(n => (2 * n + 1) * one), history.Select(s => s.Bytes));
        Assert.Equal(Enumerable.Range(0, 12).Select(n => s_start.AddDays(n)), history.Select(s => s.Utc));
        Assert.Equal(12 * 2 - 1, history[^1].Backups);

        var report = CapacityReport.Build(_policy, _time.GetUtcNow());
        var hot = report.Targets.Single(t => t.Target == "hot");
        Assert.Equal(24 * one, hot.Bytes);
        // 12 days after the first sample (day 0, 02:00, 1 backup) it holds 24 (the report measures now): 23 backups' worth.
        double days = (_time.GetUtcNow() - history[0].Utc).TotalDays;
        Assert.Equal(12, days, 9);
        Assert.Equal(23 * one / days, hot.GrowthBytesPerDay!.Value, 6);
        Assert.Equal((1e9 - (24 * one)) / hot.GrowthBytesPerDay.Value, hot.DaysToQuota!.Value, 6);
        Assert.Equal(24 * one / 1e9 * 0.25, hot.MonthlyCost!.Value, 12);
        Assert.Null(report.Targets.Single(t => t.Target == "cold").GrowthBytesPerDay);
        var docs = report.Sources.Single();
        Assert.Equal(TimeSpan.FromHours(23), docs.Rpo);
        Assert.True(docs.RpoMet);
        Assert.True(report.Ok);

        // Pruning shows as negative growth: it is measured from what the target held (the last day's sample, 23
        // backups, is the newest one at least 30 days old by then), not from the backups still there.
        _time.Advance(TimeSpan.FromDays(40));
        Run(JobType.Prune, _policy with { Retention = new RetentionSettings(1, 0, 0) });
        var after = CapacityReport.Build(_policy, _time.GetUtcNow()).Targets.Single(t => t.Target == "hot");
        Assert.True(after.GrowthBytesPerDay < 0);
        Assert.Null(after.DaysToQuota);
        // Forty days without a backup miss the 26-hour RPO.
        var late = CapacityReport.Build(_policy, _time.GetUtcNow());
        Assert.False(late.Sources.Single().RpoMet);
        Assert.False(late.Ok);
        Assert.Equal(JobOutcome.Failed, Run(JobType.Report).Outcome);
    }

    [Fact]
    public void History_IsBounded_AndPerTierSumsFollowEachTargetsLatestSample()
    {
        var target = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("bounded")).FullName);
        for (int day = 0; day < CapacityHistory.MaxDays + 5; day++)
            CapacityHistory.Record(target, s_start.AddDays(day));
        var history = CapacityHistory.Read(target);
        Assert.Equal(CapacityHistory.MaxDays, history.Count);
        Assert.Equal(s_start.AddDays(5), history[0].Utc);

        var a = new TargetCapacity("a", "hot", 0, 0, null, null, null, null, [new CapacitySample(s_start, 10, 1), new CapacitySample(s_start.AddDays(2), 30, 3)]);
        var b = new TargetCapacity("b", "hot", 0, 0, null, null, null, null, [new CapacitySample(s_start.AddDays(1), 5, 1)]);
        var c = new TargetCapacity("c", "cold", 0, 0, null, null, null, null, [new CapacitySample(s_start.AddDays(1), 7, 1)]);
        var tiers = new CapacityReport(s_start.AddDays(3), [a, b, c], []).BytesPerTier();
        Assert.Equal([10L, 15L, 35L], tiers["hot"].Select(p => p.Bytes));
        Assert.Equal([7L], tiers["cold"].Select(p => p.Bytes));
    }

    [Fact]
    public void Report_NewestBackupMarkedDamaged_RpoIsTheAgeOfTheNewestGoodOne()
    {
        Run(JobType.Snapshot);
        _time.Advance(TimeSpan.FromHours(20));
        Run(JobType.Snapshot);
        _time.Advance(TimeSpan.FromHours(10));
        var hot = new LocalFolderTarget(_dir.File("hot"));
        var backups = BackupCatalog.Load(hot).Backups.OrderBy(b => b.CreatedUtc).ToList();
        Assert.Equal(2, backups.Count);
        Assert.Equal(TimeSpan.FromHours(10), CapacityReport.Build(_policy, _time.GetUtcNow()).Sources.Single().Rpo);

        // As a scrub records a damaged copy: the newest backup no longer counts, so the 26-hour RPO is missed (30 h).
        DamageMarks.Set(hot, new DamageMark(backups[1].Id, _time.GetUtcNow(), DamageMark.Damaged, "SHA-256 mismatch"));
        var docs = CapacityReport.Build(_policy, _time.GetUtcNow()).Sources.Single();

        Assert.Equal(backups[0].CreatedUtc, docs.NewestGoodUtc);
        Assert.Equal(TimeSpan.FromHours(30), docs.Rpo);
        Assert.False(docs.RpoMet);
    }

    [Fact]
    public void Cli_Report_PrintsTargetsAndSources_WritesAPng_AndExits1OnAMissedObjective()
    {
        var policy = _policy with { Sources = [_policy.Sources[0] with { Rpo = TimeSpan.FromDays(3650) }] };
        var real = new BackupJobExecutor(TimeProvider.System, NullLogger<BackupJobExecutor>.Instance);
        real.Run(policy, new JobPolicy { Name = "s", Type = JobType.Snapshot, Cron = "0 * * * *" }, CancellationToken.None);
        string file = _dir.File("p.json");
        File.WriteAllText(file, policy.ToJson());
        string png = _dir.File("tiers.png");

        var r = Cli("report", "--policy", file, "--json", "--png", png);

        Assert.Equal(0, r.Code);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.True(doc.GetProperty("ok").GetBoolean());
        var hot = doc.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == "hot");
        Assert.Equal(BackupBytes, hot.GetProperty("bytes").GetInt64());
        Assert.Equal(1, hot.GetProperty("backups").GetInt32());
        Assert.True(doc.GetProperty("sources")[0].GetProperty("rpoMet").GetBoolean());
        var head = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);

        var text = Cli("report", "--policy", file);
        Assert.Equal(0, text.Code);
        Assert.Contains("days to quota", text.Out, StringComparison.Ordinal);

        File.WriteAllText(file, (policy with { Sources = [policy.Sources[0] with { Rpo = TimeSpan.FromTicks(1) }] }).ToJson());
        var missed = Cli("report", "--policy", file);
        Assert.Equal(NhnswCli.Failed, missed.Code);
        Assert.Contains("missed", missed.Out, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliSession.Run(args);
}

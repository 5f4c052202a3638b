using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task JobResults_AreCountedAndTimed_AndRpoGrowsWithTheClock()
    {
        using var dir = new TempDirectory();
        var start = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var executor = new ScriptedExecutor();
        executor.Body = (job, _) => job.Type switch
        {
            JobType.Snapshot => new JobRunResult(JobOutcome.Failed, "one failed", [
                new JobEvent("docs", JobEventKind.BackupMade, "b1", 1234, time.GetUtcNow()),
                new JobEvent("chat", JobEventKind.BackupFailed, Message: "no space")]),
            _ => new JobRunResult(JobOutcome.Succeeded, "ok", [
                new JobEvent("docs", JobEventKind.DrillPassed, "b1", Elapsed: TimeSpan.FromSeconds(42)),
                new JobEvent("docs", JobEventKind.Scrubbed, Failures: 2)]),
        };
        var policy = SchedulerHarness.Policy(dir.File("t"),
            new JobPolicy { Name = "snap", Type = JobType.Snapshot, Cron = "15 * * * *" },
            new JobPolicy { Name = "drill", Type = JobType.Drill, Cron = "30 * * * *" });
        await using var h = new SchedulerHarness(policy, time, executor, dir.File("state.json"));

        var longs = new ConcurrentDictionary<string, long>();
        var doubles = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, h.Metrics.Meter))
                l.EnableMeasurementEvents(instrument);
        };
        static string Key(Instrument i, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var t in tags)
            {
                if (t.Key == "source")
                    return $"{i.Name}/{t.Value}";
            }
            return i.Name;
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => longs.AddOrUpdate(Key(i, tags), v, (_, old) => old + v));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => longs[Key(i, tags)] = v);
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            if (i is Histogram<double>)
                longs.AddOrUpdate(i.Name + "#count", 1, (_, old) => old + 1);
            else
                doubles[Key(i, tags)] = v;
        });
        listener.Start();

        await h.StartAsync();
        h.AdvanceTo((await h.IdleAsync())!.Value);
        await h.CompletedAsync();
        h.AdvanceTo((await h.IdleAsync())!.Value);
        await h.CompletedAsync();
        await h.IdleAsync();

        Assert.Equal(1, longs["nhnsw.backup.backups/docs"]);
        Assert.Equal(1234, longs["nhnsw.backup.bytes/docs"]);
        Assert.Equal(1, longs["nhnsw.backup.failures/chat"]);
        Assert.Equal(2, longs["nhnsw.backup.scrub.failures/docs"]);
        Assert.Equal(2, longs["nhnsw.backup.job.duration#count"]);

        listener.RecordObservableInstruments();
        // The backup was stamped at 12:15; the drill ran at 12:30 and the clock is still there.
        Assert.Equal(900, doubles["nhnsw.backup.rpo/docs"], 3);
        Assert.Equal(42, doubles["nhnsw.backup.drill.rto/docs"], 3);
        Assert.Equal(1, longs["nhnsw.backup.drill.passed/docs"]);
        Assert.False(doubles.ContainsKey("nhnsw.backup.rpo/chat"));
        time.Advance(TimeSpan.FromMinutes(10));
        listener.RecordObservableInstruments();
        Assert.Equal(1500, doubles["nhnsw.backup.rpo/docs"], 3);
    }

    [Fact]
    public async Task Rpo_CountsBackupsFoundInTheTargetsAtStart()
    {
        using var dir = new TempDirectory();
        var start = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var executor = new ScriptedExecutor { Newest = [new TierBackup("docs", "hot", "hot", "b0", start.AddHours(-3), false)] };
        var policy = SchedulerHarness.Policy(dir.File("t"), new JobPolicy { Name = "snap", Type = JobType.Snapshot, Cron = "0 2 * * *" });
        await using var h = new SchedulerHarness(policy, new FakeTimeProvider(start), executor, dir.File("state.json"));
        using var rpo = new RpoGauge(h.Metrics);
        await h.StartAsync();
        await h.IdleAsync();
        Assert.Equal(3 * 3600, rpo.Read(), 3);
    }

    [Fact]
    public async Task Rpo_AnIncrementalSkippedAsUnchanged_MovesTheRecoveryPointToItsStart_AndOnlyForward()
    {
        using var dir = new TempDirectory();
        var start = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var executor = new ScriptedExecutor();
        int incrementals = 0;
        var made = start.AddMinutes(15);
        executor.Body = (job, _) => job.Type switch
        {
            JobType.Snapshot => new JobRunResult(JobOutcome.Succeeded, "ok", [new JobEvent("chat", JobEventKind.BackupMade, "b1", 10, made)]),
            // The first hourly run finds the store unchanged since b1; the second names an older backup (one that another
            // runner's newer b1 holds the same content as): the recovery point must not move back to it.
            _ => new JobRunResult(JobOutcome.Succeeded, "ok", [++incrementals == 1
                ? new JobEvent("chat", JobEventKind.Unchanged, "b1", BackupCreatedUtc: made)
                : new JobEvent("chat", JobEventKind.Unchanged, "b0", BackupCreatedUtc: start.AddHours(-5))]),
        };
        var policy = SchedulerHarness.Policy(dir.File("t"),
            new JobPolicy { Name = "snap", Type = JobType.Snapshot, Cron = "15 12 * * *" },
            new JobPolicy { Name = "incremental", Type = JobType.Incremental, Cron = "45 * * * *" });
        await using var h = new SchedulerHarness(policy, time, executor, dir.File("state.json"));
        using var gauge = new RpoGauge(h.Metrics);
        double Rpo() => gauge.Read();

        await h.StartAsync();
        h.AdvanceTo((await h.IdleAsync())!.Value);
        await h.CompletedAsync();
        await h.IdleAsync();
        Assert.Equal(0, Rpo(), 3);
        // 12:45: unchanged since b1 (12:15). Just before the skip the gauge says 29 minutes, after it nothing is at risk.
        h.AdvanceTo(start.AddMinutes(44));
        Assert.Equal(1740, Rpo(), 3);
        h.AdvanceTo(start.AddMinutes(45));
        await h.CompletedAsync();
        await h.IdleAsync();
        Assert.Equal(0, Rpo(), 3);
        Assert.Equal(start.AddMinutes(45), h.Service.State.Sources["chat"].RecoveryPointUtc);
        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(1200, Rpo(), 3);
        // 13:45: unchanged since an older backup: held as of 13:45 still, and the newest backup stays b1.
        h.AdvanceTo(start.AddMinutes(105));
        await h.CompletedAsync();
        await h.IdleAsync();
        Assert.Equal(0, Rpo(), 3);
        var chat = h.Service.State.Sources["chat"];
        Assert.Equal(("b1", made), (chat.NewestBackupId, chat.NewestBackupUtc));

        // The state file keeps it: a restarted runner's gauge goes on from 13:45, not from b1's 12:15.
        await h.StopAsync();
        await using var restarted = new SchedulerHarness(policy, time, new ScriptedExecutor(), dir.File("state.json"));
        using var after = new RpoGauge(restarted.Metrics);
        time.Advance(TimeSpan.FromMinutes(5));
        await restarted.StartAsync();
        await restarted.IdleAsync();
        Assert.Equal(300, after.Read(), 3);
    }

    /// <summary>One scheduler's <c>nhnsw.backup.rpo</c> gauge (a single source's), collected on demand.</summary>
    private sealed class RpoGauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private double? _value;

        public RpoGauge(BackupMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "nhnsw.backup.rpo")
                    l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, v, _, _) => _value = v);
            _listener.Start();
        }

        public double Read()
        {
            _listener.RecordObservableInstruments();
            return _value ?? throw new InvalidOperationException("the gauge reported no value");
        }

        public void Dispose() => _listener.Dispose();
    }
}

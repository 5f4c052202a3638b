using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>The scheduler's rules on a fake clock: first slot, missed-once after downtime, no overlap, restarts, shutdown.</summary>
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static JobPolicy Daily(string name = "nightly") => new() { Name = name, Type = JobType.Snapshot, Cron = "0 2 * * *" };

    private static JobPolicy Hourly(string name = "hourly") => new() { Name = name, Type = JobType.Incremental, Cron = "0 * * * *" };

    [Fact]
    public async Task NewJob_WaitsForItsFirstSlot_ThenRunsAtIt()
    {
        using var dir = new TempDirectory();
        await using var h = new SchedulerHarness(SchedulerHarness.Policy(dir.File("t"), Daily()), new FakeTimeProvider(s_start), new ScriptedExecutor(), dir.File("state.json"));
        await h.StartAsync();
        var due = await h.IdleAsync();
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 2, 0, 0, TimeSpan.Zero), due);
        Assert.Empty(h.Executor.Runs);
        h.AdvanceTo(due!.Value.AddMinutes(-1));
        Assert.Equal(due, await h.IdleAsync());
        Assert.Empty(h.Executor.Runs);
        h.AdvanceTo(due.Value);
        var (job, result) = await h.CompletedAsync();
        Assert.Equal("nightly", job.Name);
        Assert.Equal(JobOutcome.Succeeded, result.Outcome);
        Assert.Equal(due.Value.AddDays(1), await h.IdleAsync());
        Assert.Equal(due, h.Service.State.Jobs["nightly"].LastSlotUtc);
    }

    [Fact]
    public async Task AfterDowntime_AMissedJobRunsOnce_NotOncePerMissedSlot()
    {
        using var dir = new TempDirectory();
        string state = dir.File("state.json");
        var time = new FakeTimeProvider(s_start);
        var policy = SchedulerHarness.Policy(dir.File("t"), Daily(), Hourly());
        await using (var first = new SchedulerHarness(policy, time, new ScriptedExecutor(), state))
        {
            await first.StartAsync();
            await first.IdleAsync();
            await first.StopAsync();
        }
        // Down for five days: 5 nightly slots and 120 hourly ones pass.
        time.Advance(TimeSpan.FromDays(5));
        var executor = new ScriptedExecutor();
        await using var second = new SchedulerHarness(policy, time, executor, state);
        await second.StartAsync();
        var a = await second.CompletedAsync();
        var b = await second.CompletedAsync();
        var next = await second.IdleAsync();
        Assert.Equal(["hourly", "nightly"], executor.Runs.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "hourly", "nightly" }.ToHashSet(), new[] { a.Job.Name, b.Job.Name }.ToHashSet());
        // Each ran for its latest missed slot, so the next is the first slot after now.
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 13, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 2, 0, 0, TimeSpan.Zero), second.Service.State.Jobs["nightly"].LastSlotUtc);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero), second.Service.State.Jobs["hourly"].LastSlotUtc);
    }

    [Fact]
    public async Task Restart_BeforeTheNextSlot_RunsNothing()
    {
        using var dir = new TempDirectory();
        string state = dir.File("state.json");
        var time = new FakeTimeProvider(s_start);
        var policy = SchedulerHarness.Policy(dir.File("t"), Hourly());
        await using (var first = new SchedulerHarness(policy, time, new ScriptedExecutor(), state))
        {
            await first.StartAsync();
            var due = await first.IdleAsync();
            first.AdvanceTo(due!.Value);
            await first.CompletedAsync();
            await first.IdleAsync();
            await first.StopAsync();
        }
        time.Advance(TimeSpan.FromMinutes(30));
        var executor = new ScriptedExecutor();
        await using var second = new SchedulerHarness(policy, time, executor, state);
        await second.StartAsync();
        Assert.Equal(s_start.AddHours(2), await second.IdleAsync());
        Assert.Empty(executor.Runs);
    }

    [Fact]
    public async Task JobOutlastingItsInterval_NeverRunsTwiceAtOnce_AndCatchesUpOnce()
    {
        using var dir = new TempDirectory();
        using var gate = new ManualResetEventSlim();
        var executor = new ScriptedExecutor();
        executor.Body = (job, _) =>
        {
            if (executor.Runs.Count == 1)
                gate.Wait(TimeSpan.FromSeconds(30));
            return new JobRunResult(JobOutcome.Succeeded, "ok", []);
        };
        var policy = SchedulerHarness.Policy(dir.File("t"), Hourly(), new JobPolicy { Name = "quarter", Type = JobType.Prune, Cron = "*/15 * * * *" });
        await using var h = new SchedulerHarness(policy, new FakeTimeProvider(s_start), executor, dir.File("state.json"));
        await h.StartAsync();
        var due = await h.IdleAsync();
        h.AdvanceTo(due!.Value);
        // The first run (hourly or quarter, both due at 12:15? no: quarter at 12:15) blocks while five hours pass.
        while (executor.Runs.IsEmpty)
            await Task.Yield();
        h.Time.Advance(TimeSpan.FromHours(5));
        gate.Set();
        await h.CompletedAsync();
        await h.CompletedAsync();
        await h.CompletedAsync();
        var next = await h.IdleAsync();
        Assert.Equal(1, executor.MaxRunning);
        // One blocked run of 'quarter', then one catch-up of each job: not twenty quarters and five hourlies.
        Assert.Equal(["quarter", "hourly", "quarter"], executor.Runs.Take(1).Concat(executor.Runs.Skip(1).Order(StringComparer.Ordinal)));
        Assert.Equal(3, executor.Runs.Count);
        Assert.Equal(s_start.AddHours(5).AddMinutes(30), next);
    }

    [Fact]
    public async Task Shutdown_AbortsTheRunningJob_WhichRunsAgainAtTheNextStart()
    {
        using var dir = new TempDirectory();
        string state = dir.File("state.json");
        var time = new FakeTimeProvider(s_start);
        var executor = new ScriptedExecutor
        {
            Body = (_, token) =>
            {
                token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
                token.ThrowIfCancellationRequested();
                return new JobRunResult(JobOutcome.Succeeded, "ok", []);
            },
        };
        var policy = SchedulerHarness.Policy(dir.File("t"), Hourly());
        await using (var h = new SchedulerHarness(policy, time, executor, state))
        {
            await h.StartAsync();
            h.AdvanceTo((await h.IdleAsync())!.Value);
            while (executor.Runs.IsEmpty)
                await Task.Yield();
            await h.StopAsync();
            var (_, result) = await h.CompletedAsync();
            Assert.Equal(JobOutcome.Aborted, result.Outcome);
            Assert.Equal(s_start, h.Service.State.Jobs["hourly"].LastSlotUtc);
        }
        var again = new ScriptedExecutor();
        await using var restarted = new SchedulerHarness(policy, time, again, state);
        await restarted.StartAsync();
        Assert.Equal(JobOutcome.Succeeded, (await restarted.CompletedAsync()).Result.Outcome);
        Assert.Equal(["hourly"], again.Runs);
    }

    [Fact]
    public async Task UnreadableState_IsKeptAside_AndEveryJobRunsOnce()
    {
        using var dir = new TempDirectory();
        string state = dir.File("state.json");
        File.WriteAllText(state, "{ not json");
        var executor = new ScriptedExecutor();
        await using var h = new SchedulerHarness(SchedulerHarness.Policy(dir.File("t"), Daily(), Hourly()), new FakeTimeProvider(s_start), executor, state);
        await h.StartAsync();
        await h.CompletedAsync();
        await h.CompletedAsync();
        await h.IdleAsync();
        Assert.Equal(2, executor.Runs.Count);
        Assert.Single(Directory.GetFiles(dir.Path, "state.json.unreadable-*"));
        Assert.NotNull(new SchedulerStateFile(state).Read().Jobs["nightly"].LastOutcome);
    }

    [Fact]
    public async Task FailingExecutor_IsRecordedAsFailed_AndTheScheduleGoesOn()
    {
        using var dir = new TempDirectory();
        var executor = new ScriptedExecutor { Body = (_, _) => throw new IOException("disk on fire") };
        await using var h = new SchedulerHarness(SchedulerHarness.Policy(dir.File("t"), Hourly()), new FakeTimeProvider(s_start), executor, dir.File("state.json"));
        await h.StartAsync();
        h.AdvanceTo((await h.IdleAsync())!.Value);
        var (_, result) = await h.CompletedAsync();
        Assert.Equal(JobOutcome.Failed, result.Outcome);
        Assert.Equal("disk on fire", h.Service.State.Jobs["hourly"].LastMessage);
        Assert.Equal(s_start.AddHours(2), await h.IdleAsync());
    }

    [Fact]
    public async Task QuotaBelowWhatIsStored_RefusesThePolicyAtStart()
    {
        using var dir = new TempDirectory();
        IndexBackup.BackupFile(TestSources.SaveIndex(dir.File("docs.hnsw")), new LocalFolderTarget(dir.File("t")));
        var policy = SchedulerHarness.Policy(dir.File("t"), Hourly());
        policy = policy with { Targets = [policy.Targets[0] with { QuotaGb = 1e-6 }] };
        var executor = new ScriptedExecutor();
        await using var h = new SchedulerHarness(policy, new FakeTimeProvider(s_start), executor, dir.File("state.json"));
        await h.StartAsync();
        var e = await Assert.ThrowsAsync<PolicyException>(() => h.Service.ExecuteTask!);
        Assert.Equal("$.targets[0].quotaGb", e.JsonPath);
        Assert.Empty(executor.Runs);
    }

    [Fact]
    public async Task InvalidPolicyObject_IsRefusedAtStart_NamingTheField()
    {
        using var dir = new TempDirectory();
        var policy = SchedulerHarness.Policy(dir.File("t"), Hourly() with { Cron = "0 * * *" });
        var executor = new ScriptedExecutor();
        await using var h = new SchedulerHarness(policy, new FakeTimeProvider(s_start), executor, dir.File("state.json"));
        await h.StartAsync();
        var e = await Assert.ThrowsAsync<PolicyException>(() => h.Service.ExecuteTask!);
        Assert.Equal("$.jobs[0].cron", e.JsonPath);
        Assert.False(File.Exists(dir.File("state.json")));
    }
}

using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary><c>nhnsw policy</c> and <c>nhnsw schedule</c> through the real entry point, in-process.</summary>
public sealed class ScheduleCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliSession.Run(args);

    [Fact]
    public void PolicyInit_WritesAnExampleThatChecks_AndRefusesToOverwrite()
    {
        using var dir = new TempDirectory();
        string file = dir.File("p.json");
        Assert.Equal(0, Run("policy", "init", file).Code);
        Assert.Contains("// ", File.ReadAllText(file), StringComparison.Ordinal);
        var check = Run("policy", "check", "--policy", file, "--json");
        Assert.Equal(0, check.Code);
        Assert.Equal(9, JsonDocument.Parse(check.Out).RootElement.GetProperty("jobs").GetInt32());
        var again = Run("policy", "init", file);
        Assert.Equal(NhnswCli.BadUsage, again.Code);
        Assert.Contains("--force", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyCheck_BadField_Exit2_NamingItsPath()
    {
        using var dir = new TempDirectory();
        string file = dir.File("p.json");
        File.WriteAllText(file, PolicyExample.Json.Replace("\"cron\": \"0 2 * * *\"", "\"cron\": \"0 2 * *\"", StringComparison.Ordinal));
        var text = Run("policy", "check", "--policy", file);
        Assert.Equal(NhnswCli.BadUsage, text.Code);
        Assert.Contains("$.jobs[0].cron", text.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text.Err, StringComparison.Ordinal);
        var json = Run("policy", "check", "--policy", file, "--json");
        Assert.Equal(NhnswCli.BadUsage, json.Code);
        var doc = JsonDocument.Parse(json.Out).RootElement;
        Assert.False(doc.GetProperty("ok").GetBoolean());
        Assert.Equal("$.jobs[0].cron", doc.GetProperty("path").GetString());
        Assert.Equal(NhnswCli.BadUsage, Run("schedule", "run", "--policy", file).Code);
    }

    [Fact]
    public void SchedulePlan_PrintsTheNextRunsOfEveryJob()
    {
        using var dir = new TempDirectory();
        string file = dir.File("p.json");
        File.WriteAllText(file, PolicyExample.Json);
        var plan = Run("schedule", "plan", "--policy", file, "--count", "3", "--json");
        Assert.Equal(0, plan.Code);
        var jobs = JsonDocument.Parse(plan.Out).RootElement.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(9, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(3, j.GetProperty("next").GetArrayLength()));
        var drill = jobs.Single(j => j.GetProperty("name").GetString() == "weekly-drill");
        Assert.Equal("Europe/Berlin", drill.GetProperty("timeZone").GetString());
        var first = drill.GetProperty("next")[0].GetProperty("local").GetDateTimeOffset();
        Assert.Equal((6, 0, DayOfWeek.Sunday), (first.Hour, first.Minute, first.DayOfWeek));
        Assert.Equal(0, Run("schedule", "plan", "--policy", file).Code);
    }

    [Fact]
    public void SchedulePlan_SecondsCron_LocalColumnKeepsTheSeconds()
    {
        using var dir = new TempDirectory();
        // Every 20 s at seconds 7, 27 and 47, in a zone whose offset is not whole hours.
        var policy = SchedulerHarness.Policy(dir.File("hot"), new JobPolicy { Name = "ship", Type = JobType.Snapshot, Cron = "7/20 * * * * *", TimeZone = "Asia/Kolkata" });
        string file = dir.File("p.json");
        File.WriteAllText(file, policy.ToJson());

        var plan = Run("schedule", "plan", "--policy", file, "--count", "3");

        Assert.Equal(0, plan.Code);
        var local = System.Text.RegularExpressions.Regex.Matches(plan.Out, @"\d{4}-\d\d-\d\d \d\d:\d\d:(\d\d) \+05:30").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, local.Count);
        Assert.All(local, sec => Assert.Contains(sec, new[] { "07", "27", "47" }));
    }

    [Fact]
    public void ScheduleStatus_ShowsNewestBackupPerTier_AndOverdueJobs()
    {
        using var dir = new TempDirectory();
        string index = TestSources.SaveIndex(dir.File("docs.hnsw"), count: 50, dimensions: 4);
        var policy = SchedulerHarness.Policy(dir.File("hot"), new JobPolicy { Name = "nightly", Type = JobType.Snapshot, Cron = "0 2 * * *" });
        policy = policy with { Sources = [policy.Sources[0] with { Path = index }] };
        string file = dir.File("p.json");
        File.WriteAllText(file, policy.ToJson());
        var made = new BackupJobExecutor(TimeProvider.System, NullLogger<BackupJobExecutor>.Instance).Run(policy, policy.Jobs[0], CancellationToken.None);
        string id = made.Events.Single().BackupId!;

        var status = Run("schedule", "status", "--policy", file, "--json");
        Assert.Equal(0, status.Code);
        var doc = JsonDocument.Parse(status.Out).RootElement;
        var tier = doc.GetProperty("sources")[0].GetProperty("tiers")[0];
        Assert.Equal("hot", tier.GetProperty("tier").GetString());
        Assert.Equal(id, tier.GetProperty("backupId").GetString());
        // No scheduler has run with this state file yet: the job is listed as overdue (never run).
        Assert.True(doc.GetProperty("overdue")[0].GetProperty("neverRun").GetBoolean());
        var text = Run("schedule", "status", "--policy", file);
        Assert.Equal(0, text.Code);
        Assert.Contains(id, text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleStatus_DrillOfAFewMilliseconds_PrintsMilliseconds()
    {
        using var dir = new TempDirectory();
        string index = TestSources.SaveIndex(dir.File("docs.hnsw"), count: 50, dimensions: 4);
        var policy = SchedulerHarness.Policy(dir.File("hot"), new JobPolicy { Name = "drill", Type = JobType.Drill, Cron = "0 5 * * 0" });
        policy = policy with { Sources = [policy.Sources[0] with { Path = index, Rto = TimeSpan.FromSeconds(30) }] };
        string file = dir.File("p.json");
        File.WriteAllText(file, policy.ToJson());
        var state = new SchedulerState();
        state.Sources[policy.Sources[0].Name] = new SourceState { LastDrillUtc = DateTimeOffset.UtcNow, LastDrillPassed = true, LastDrillRto = TimeSpan.FromMilliseconds(4.25) };
        new SchedulerStateFile(dir.File("state.json")).Write(state);

        var text = Run("schedule", "status", "--policy", file, "--state", dir.File("state.json"));

        Assert.Equal(0, text.Code);
        Assert.Contains("passed in 4.25 ms (RTO 30 s)", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0 s", text.Out, StringComparison.Ordinal);
    }
}

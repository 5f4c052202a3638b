using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// A runner's start sweeps the staging a killed writer left (a real child process, kill -9 midway through a backup),
/// under the target's lease, and keeps what may still be written: a live writer's staging and a folder with no owner
/// record. The prune's 24-hour rule is not involved: the leftovers are seconds old.
/// </summary>
public sealed class StartSweepTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    // How LocalFolderTarget names a staging folder and its owner record.
    private const string StagingPrefix = ".staging-";
    private const string OwnerSuffix = ".owner";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Restart_SweepsAKilledWritersStaging_AndKeepsLiveAndUnownedOnes()
    {
        string root = _dir.File("hot");
        Directory.CreateDirectory(root);
        string killed = KillWhileStaging(root, "killed-1");
        var target = new LocalFolderTarget(root);
        using var live = target.Begin("live-1");
        live.Write("a.bin", "data", new MemoryStream([1, 2, 3]));
        string liveStaging = Assert.Single(Hidden(root), d => d.Contains("live-1", StringComparison.Ordinal));
        string unowned = Path.Combine(root, StagingPrefix + "hand-1-0000abcd");
        Directory.CreateDirectory(unowned);

        await RunStartAsync(root);

        Assert.False(Directory.Exists(killed), "the killed writer's staging is still there");
        Assert.False(File.Exists(killed + OwnerSuffix), "the killed writer's owner record is still there");
        Assert.True(Directory.Exists(liveStaging), "a live writer's staging was swept");
        Assert.True(File.Exists(Path.Combine(liveStaging, "a.bin")));
        Assert.True(Directory.Exists(unowned), "a folder without an owner record was swept");
        Assert.Null(FolderLease.Read(root));
    }

    [Fact]
    public async Task Restart_WhileAnotherRunnerHoldsTheLease_SweepsNothing()
    {
        string root = _dir.File("hot");
        Directory.CreateDirectory(root);
        string killed = KillWhileStaging(root, "killed-1");
        var other = new FolderLease(root, "other-runner", TimeProvider.System, TimeSpan.FromHours(1), NullLogger.Instance);
        Assert.True(other.TryAcquire(out _));

        var executor = await RunStartAsync(root);

        Assert.True(Directory.Exists(killed), "swept without the target's lease");
        Assert.Empty(executor.Swept);
        other.Release();
    }

    [Fact]
    public async Task Restart_AfterAKilledLeaseHolder_TakesTheLeaseOverAndSweepsItsStaging_FromAnyHost()
    {
        string root = _dir.File("hot");
        Directory.CreateDirectory(root);
        string killed = KillWhileStaging(root, "killed-1", leased: true);
        // As if the writer had run on another host (a shared folder): no process check can prove it gone, only its lease.
        string[] record = File.ReadAllText(killed + OwnerSuffix).Split('\n');
        Assert.Equal(OperatingSystem.IsLinux() ? 5 : 4, record.Length);
        Assert.Equal(FolderLease.Read(root)!.LeaseId, record[3]);
        File.WriteAllText(killed + OwnerSuffix, string.Join('\n', ["another-host", .. record[1..4]]));
        var target = new LocalFolderTarget(root);
        using var live = target.Begin("live-1");
        live.Write("a.bin", "data", new MemoryStream([1, 2, 3]));
        var logger = new LineLogger<BackupSchedulerService>();

        // The dead writer's lease lasts a minute of real time; the runner's clock is an hour on.
        await RunStartAsync(root, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)), logger);

        Assert.False(Directory.Exists(killed), "the staging of a writer whose lease is over is still there");
        Assert.False(File.Exists(killed + OwnerSuffix));
        Assert.Single(Hidden(root), d => d.Contains("live-1", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Contains("held by killed-runner", StringComparison.Ordinal) && l.Contains("taken over", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Contains("removed 1 leftover(s) of writers killed midway", StringComparison.Ordinal) && l.Contains(Path.GetFileName(killed), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WhileAnotherRunnerHoldsTheLease_SweepsAtTheFirstJobThatHoldsIt()
    {
        string root = _dir.File("hot");
        Directory.CreateDirectory(root);
        string killed = KillWhileStaging(root, "killed-1");
        var time = new FakeTimeProvider(s_start);
        var other = new FolderLease(root, "other-runner", time, TimeSpan.FromHours(1), NullLogger.Instance);
        Assert.True(other.TryAcquire(out _));
        using var real = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);
        bool? leftAtJob = null;
        var executor = new ScriptedExecutor
        {
            Sweeper = real,
            WritesTargets = true,
            Body = (_, _) =>
            {
                leftAtJob = Directory.Exists(killed);
                return new JobRunResult(JobOutcome.Succeeded, "ok", []);
            },
        };
        var policy = SchedulerHarness.Policy(root, new JobPolicy { Name = "hourly", Type = JobType.Snapshot, Cron = "0 * * * *" });
        await using var h = new SchedulerHarness(policy, time, executor, _dir.File("state.json"));
        await h.StartAsync();
        await h.IdleAsync();
        Assert.True(Directory.Exists(killed), "swept without the target's lease");
        Assert.Empty(executor.Swept);

        other.Release();
        h.AdvanceTo(s_start.AddHours(1));
        var (_, result) = await h.CompletedAsync();

        Assert.Equal(JobOutcome.Succeeded, result.Outcome);
        Assert.False(leftAtJob, "the job ran before the sweep it had missed at start");
        Assert.Equal(["hot"], executor.Swept);
        Assert.False(Directory.Exists(killed));
    }

    /// <summary>Starts the scheduler with the real executor's sweep, waits until it idles (the sweep is done by then), stops it.</summary>
    private async Task<ScriptedExecutor> RunStartAsync(string root, FakeTimeProvider? clock = null, LineLogger<BackupSchedulerService>? logger = null)
    {
        var time = clock ?? new FakeTimeProvider(s_start);
        using var real = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);
        var executor = new ScriptedExecutor { Sweeper = real };
        var policy = SchedulerHarness.Policy(root, new JobPolicy { Name = "nightly", Type = JobType.Snapshot, Cron = "0 2 * * *" });
        await using var h = new SchedulerHarness(policy, time, executor, _dir.File("state.json"), logger: logger);
        await h.StartAsync();
        await h.IdleAsync();
        await h.StopAsync();
        Assert.Empty(executor.Runs);
        return executor;
    }

    /// <summary>A child process begins backup <paramref name="id"/> (under the folder's lease when <paramref name="leased"/>), writes a file, and is killed: its staging folder's path.</summary>
    private static string KillWhileStaging(string root, string id, bool leased = false)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { FolderLeaseTests.LocateChild(), leased ? "stage-leased" : "stage", root, id })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        string? line = child.StandardOutput.ReadLine();
        Assert.True(line == "staged", $"the staging child printed '{line}': {(child.HasExited ? child.StandardError.ReadToEnd() : "")}");
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        string staging = Assert.Single(Hidden(root), d => d.Contains(id, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(staging, "part.bin")));
        Assert.True(File.Exists(staging + OwnerSuffix));
        return staging;
    }

    private static IEnumerable<string> Hidden(string root) =>
        Directory.EnumerateDirectories(root, StagingPrefix + "*");
}

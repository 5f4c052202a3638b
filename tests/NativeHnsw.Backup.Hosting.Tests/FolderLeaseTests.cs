using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

public sealed class FolderLeaseTests
{
    private static readonly TimeSpan s_duration = TimeSpan.FromMinutes(5);

    private static FolderLease Lease(string folder, string holder, TimeProvider time) => new(folder, holder, time, s_duration, NullLogger.Instance);

    [Fact]
    public void HeldLease_IsRefused_UntilItExpires_ThenTakenOver_AndTheOldHolderKnowsItLostIt()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var a = Lease(dir.Path, "a", time);
        var b = Lease(dir.Path, "b", time);
        Assert.True(a.TryAcquire(out _));
        Assert.False(b.TryAcquire(out var holder));
        Assert.Equal("a", holder!.Holder);
        Assert.Equal(Environment.ProcessId, holder.Pid);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(a.Renew());
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(b.TryAcquire(out _));
        time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.True(b.TryAcquire(out var taken));
        Assert.Equal("b", taken!.Holder);
        Assert.False(a.Renew());
        a.Release();
        Assert.Equal("b", FolderLease.Read(dir.Path)!.Holder);
        b.Release();
        Assert.Null(FolderLease.Read(dir.Path));
    }

    [Fact]
    public void TwoRunnersRacing_NeverBothHoldIt()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        int holders = 0, violations = 0;
        var acquired = new int[2];
        using var barrier = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            var lease = Lease(dir.Path, "runner-" + i, time);
            barrier.SignalAndWait();
            for (int n = 0; n < 2000 && acquired[i] < 50; n++)
            {
                if (!lease.TryAcquire(out _))
                    continue;
                if (Interlocked.Increment(ref holders) != 1)
                    Interlocked.Increment(ref violations);
                acquired[i]++;
                Thread.SpinWait(200);
                Interlocked.Decrement(ref holders);
                lease.Release();
                // Give the other runner a window between our release and our next try.
                Thread.SpinWait(2000);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(0, violations);
        Assert.All(acquired, n => Assert.True(n > 0, "each runner should win the lease sometimes, or the race was not exercised"));
    }

    [Fact]
    public async Task TwoSchedulers_OnOneTarget_TheSecondSkipsWhileTheFirstHoldsTheLease()
    {
        using var dir = new TempDirectory();
        // A clock each, set alike, so the test decides which runner reaches the slot first.
        var start = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var policy = SchedulerHarness.Policy(dir.File("target"), new JobPolicy { Name = "hourly", Type = JobType.Prune, Cron = "0 * * * *" });
        using var gate = new ManualResetEventSlim();
        var slow = new ScriptedExecutor { WritesTargets = true };
        slow.Body = (_, _) =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return new JobRunResult(JobOutcome.Succeeded, "ok", []);
        };
        var other = new ScriptedExecutor { WritesTargets = true };
        await using var first = new SchedulerHarness(policy, new FakeTimeProvider(start), slow, dir.File("a.json"), "first");
        await using var second = new SchedulerHarness(policy, new FakeTimeProvider(start), other, dir.File("b.json"), "second");
        await first.StartAsync();
        await second.StartAsync();
        first.AdvanceTo((await first.IdleAsync())!.Value);
        while (slow.Runs.IsEmpty)
            await Task.Yield();
        second.AdvanceTo((await second.IdleAsync())!.Value);
        var (_, skipped) = await second.CompletedAsync();
        Assert.Equal(JobOutcome.Skipped, skipped.Outcome);
        Assert.Contains("leased by another runner", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("first", skipped.Message, StringComparison.Ordinal);
        Assert.Empty(other.Runs);
        gate.Set();
        Assert.Equal(JobOutcome.Succeeded, (await first.CompletedAsync()).Result.Outcome);
        Assert.Null(FolderLease.Read(dir.File("target")));
    }

    [Fact]
    public void TwoProcessesRacing_NeverBothHoldIt()
    {
        using var dir = new TempDirectory();
        var results = RaceProcesses(holder => [dir.Path, holder, "2", "3000"]);
        Assert.All(results, r => Assert.True(r.Acquired > 0, "each process should win the lease sometimes, or the race was not exercised"));
    }

    /// <summary>
    /// Two lease children, alpha and beta, racing with the arguments <paramref name="arguments"/> gives each; asserts
    /// neither ever saw the other's holding marker while it held the lease, and returns what each printed.
    /// </summary>
    internal static List<(int Acquired, int Violations, int Refused)> RaceProcesses(Func<string, string[]> arguments)
    {
        string child = LocateChild();
        var processes = new[] { "alpha", "beta" }.Select(holder =>
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(child);
            foreach (string arg in arguments(holder))
                start.ArgumentList.Add(arg);
            return Process.Start(start)!;
        }).ToList();
        var results = new List<(int Acquired, int Violations, int Refused)>();
        foreach (var p in processes)
        {
            string output = p.StandardOutput.ReadToEnd();
            string errors = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "the lease child did not finish");
            Assert.True(p.ExitCode == 0, $"the lease child exited {p.ExitCode}: {errors}");
            var parts = output.Trim().Split(' ');
            results.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
            p.Dispose();
        }
        Assert.All(results, r => Assert.Equal(0, r.Violations));
        return results;
    }

    /// <summary>The child's build output: tests/NativeHnsw.Backup.Hosting.LeaseChild/bin/&lt;configuration&gt;/&lt;framework&gt;/.</summary>
    internal static string LocateChild()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tests = output.Parent!.Parent!.Parent!.Parent!;
        string path = Path.Combine(tests.FullName, "NativeHnsw.Backup.Hosting.LeaseChild", "bin", output.Parent.Name, output.Name, "NativeHnsw.Backup.Hosting.LeaseChild.dll");
        Assert.True(File.Exists(path), $"The lease child was not built at {path}; build tests/NativeHnsw.Backup.Hosting.Tests, which builds it.");
        return path;
    }
}

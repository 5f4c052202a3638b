using System.Diagnostics;
using System.Globalization;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// The real <c>nhnsw schedule run</c> process, started as a script starts it: a background job (<c>cmd &amp;</c>) of a
/// non-interactive bash, which sets SIGINT to ignored for it. SIGTERM must stop it cleanly with exit 0 (docs/OPERATIONS.md
/// says to send SIGTERM to such a runner, because .NET keeps an inherited SIG_IGN of SIGINT).
/// </summary>
public sealed class ScheduleSignalTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BackgroundJobOfAScript_SigtermStopsIt_Exit0()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc and sends POSIX signals");
        var policy = new BackupPolicy
        {
            StateFile = _dir.File("state.json"),
            Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 20, dimensions: 4), Target = "hot" }],
            Targets = [new TargetPolicy { Name = "hot", Type = TargetType.Local, Tier = "hot", Path = _dir.File("hot") }],
            Jobs = [new JobPolicy { Name = "nightly", Type = JobType.Snapshot, Cron = "0 2 * * *" }],
        };
        policy.Validate();
        string file = _dir.File("policy.json");
        File.WriteAllText(file, policy.ToJson());
        string nhnsw = Path.Combine(AppContext.BaseDirectory, "nhnsw.dll");
        // bash prints the background job's pid, then waits for it, so bash's exit code is the runner's.
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("dotnet \"$0\" schedule run --policy \"$1\" & echo \"pid $!\"; wait $!");
        start.ArgumentList.Add(nhnsw);
        start.ArgumentList.Add(file);
        using var shell = Process.Start(start)!;
        var lines = new List<string>();
        using var started = new ManualResetEventSlim();
        void Collect(string? line)
        {
            if (line is null)
                return;
            lock (lines)
                lines.Add(line);
            if (line.Contains("Backup scheduler", StringComparison.Ordinal) && line.Contains("started", StringComparison.Ordinal))
                started.Set();
        }
        shell.OutputDataReceived += (_, e) => Collect(e.Data);
        shell.ErrorDataReceived += (_, e) => Collect(e.Data);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        try
        {
            Assert.True(started.Wait(s_bound, TestContext.Current.CancellationToken), "the runner did not log its start: " + Text(lines));
            int pid;
            lock (lines)
                pid = int.Parse(lines.First(l => l.StartsWith("pid ", StringComparison.Ordinal))["pid ".Length..], CultureInfo.InvariantCulture);
            // The case this test is about: the runner holds SIGINT ignored (bit 2 of SigIgn), as bash set it.
            string sigIgn = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            ulong ignored = ulong.Parse(sigIgn["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.True((ignored & (1UL << (2 - 1))) != 0, $"the runner does not ignore SIGINT ({sigIgn}): not the background-job case");

            using (var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)])!)
                kill.WaitForExit();
            Assert.True(shell.WaitForExit(s_bound), "SIGTERM did not stop the runner: " + Text(lines));
            shell.WaitForExit();
            Assert.Equal(0, shell.ExitCode);
            Assert.Contains(lines, l => l.Contains("Backup scheduler", StringComparison.Ordinal) && l.Contains("stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (!shell.HasExited)
                shell.Kill(entireProcessTree: true);
        }
    }

    private static string Text(List<string> lines)
    {
        lock (lines)
            return string.Join(" | ", lines);
    }
}

using System.Diagnostics;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// kill -9 of a running scheduler (the LeaseChild's <c>run</c> mode: the real executor on a fast fake clock) at random
/// moments of its snapshots, incrementals, offsite copies, tier moves and prunes, over 100 trials; after each kill the
/// targets show nothing partial and every backup they list is whole, and a runner started after the last kill takes
/// the dead runner's leases over (its process has ended) and completes its jobs.
/// </summary>
public sealed class SchedulerKillTests : IDisposable
{
    private const int Trials = 100;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void KilledAtRandomMoments_NothingPartialIsVisible_AndARestartedRunnerCompletes()
    {
        string index = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 60, dimensions: 4);
        TestSources.AddToStore(_dir.File("store"), 0, 30);
        var policy = new BackupPolicy
        {
            StateFile = _dir.File("state.json"),
            Sources =
            [
                new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = index, Target = "hot" },
                new SourcePolicy { Name = "chat", Type = SourceType.Store, Path = _dir.File("store"), Target = "hot" },
            ],
            Targets =
            [
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Tier = "hot", Path = _dir.File("hot") },
                new TargetPolicy { Name = "warm", Type = TargetType.Local, Tier = "warm", Path = _dir.File("warm") },
                new TargetPolicy { Name = "off", Type = TargetType.Local, Tier = "cold", Path = _dir.File("off") },
            ],
            Tiers = [new TierRule { Tier = "hot", ToDays = 1 }, new TierRule { Tier = "warm", FromDays = 1, ToDays = 3 }, new TierRule { Tier = "cold", FromDays = 3 }],
            Offsite = new OffsiteSettings { Target = "off" },
            Retention = new RetentionSettings(2, 1, 1),
            Jobs =
            [
                new JobPolicy { Name = "snapshot", Type = JobType.Snapshot, Cron = "0 */2 * * *" },
                new JobPolicy { Name = "incremental", Type = JobType.Incremental, Cron = "20,40 * * * *", Sources = ["chat"] },
                new JobPolicy { Name = "offsite", Type = JobType.Offsite, Cron = "50 * * * *" },
                new JobPolicy { Name = "tiers", Type = JobType.Tiers, Cron = "10 */3 * * *" },
                new JobPolicy { Name = "prune", Type = JobType.Prune, Cron = "15 */3 * * *" },
            ],
        };
        policy.Validate();
        string file = _dir.File("policy.json");
        File.WriteAllText(file, policy.ToJson());
        string clock = _dir.File("clock.txt");
        var random = new Random(12);
        var interrupted = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int trial = 0; trial < Trials; trial++)
        {
            using var child = Start(file, clock, maxJobs: 0, out var lines);
            WaitFor(lines, "started", child);
            // A random moment into its run: every other trial right after its 1st–3rd job began (so kills land inside
            // jobs however fast the machine runs them), the others anywhere within its first second.
            if (trial % 2 == 1)
            {
                WaitForBegun(lines, random.Next(1, 4), child);
                Thread.Sleep(random.Next(0, 15));
            }
            else
                Thread.Sleep(random.Next(50, 900));
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            lock (lines)
            {
                // The last line says what was killed: "begin JOB" is a job cut midway.
                if (lines[^1].StartsWith("begin ", StringComparison.Ordinal))
                    interrupted[lines[^1]["begin ".Length..]] = interrupted.GetValueOrDefault(lines[^1]["begin ".Length..]) + 1;
            }
            CheckTargets(policy, $"after kill {trial + 1}");
        }
        // The kills must have cut real work short, of more than one kind of job.
        int midJob = interrupted.Values.Sum();
        Assert.True(midJob >= Trials / 4, $"only {midJob} of {Trials} kills cut a job short ({string.Join(", ", interrupted.Select(p => $"{p.Key} {p.Value}"))})");
        Assert.True(interrupted.Count >= 3, $"kills cut only these jobs short: {string.Join(", ", interrupted.Keys)}");

        // A last runner, left to finish 30 runs: it takes the dead runners' leases over (their processes ended) and does real work.
        using var last = Start(file, clock, maxJobs: 30, out var output);
        Assert.True(last.WaitForExit(TimeSpan.FromMinutes(3)), "the last runner did not finish its 30 runs");
        Assert.Equal(0, last.ExitCode);
        var runs = output.Where(l => l != "started").ToList();
        Assert.Contains(runs, l => l.Contains(" prune Succeeded", StringComparison.Ordinal));
        Assert.Contains(runs, l => l.Contains(" snapshot Succeeded", StringComparison.Ordinal));
        Assert.DoesNotContain(runs, l => l.Contains(" Failed", StringComparison.Ordinal));
        CheckTargets(policy, "after the last runner");
        // The prunes swept what the killed writers left: as of the last prune (a line starts with the runner's fake
        // time when the job ended), nothing is left that had been untouched for a day by the targets' own rule. A
        // leftover younger than a day at that prune is the next prune's (an hour's slack for the prune's own length).
        string lastPrune = runs.Last(l => l.Contains(" prune Succeeded", StringComparison.Ordinal));
        var prunedAt = DateTimeOffset.Parse(lastPrune[..lastPrune.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(policy.Targets, t => Assert.Empty(new LocalFolderTarget(t.Path!).SweepLeftovers(BackupPruner.DefaultLeftoverAge + TimeSpan.FromHours(1), prunedAt, dryRun: true)));
        // And whatever their age: the killed runners' staging (under leases that are over, of processes that are gone)
        // was swept by the last runner's start, or by its first job holding the target's lease.
        Assert.All(policy.Targets, t => Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(t.Path!).Select(Path.GetFileName),
            n => n!.StartsWith(".staging-", StringComparison.Ordinal) || n.StartsWith(".deleting-", StringComparison.Ordinal)));
    }

    /// <summary>Nothing partial lists; every listed backup's files pass their SHA-256; every chain is whole in its target.</summary>
    private static void CheckTargets(BackupPolicy policy, string when)
    {
        foreach (var t in policy.Targets)
        {
            if (!Directory.Exists(t.Path))
                continue;
            var target = new LocalFolderTarget(t.Path!);
            var catalog = BackupCatalog.Load(target);
            Assert.True(catalog.Problems.Count == 0, $"{when}: {t.Name} shows unusable backups: {string.Join("; ", catalog.Problems.Select(p => p.Message))}");
            var scrub = TargetScrubber.Scrub(target, TimeProvider.System, CancellationToken.None, mark: false);
            Assert.True(scrub.DamagedCount == 0, $"{when}: {t.Name}: {string.Join("; ", scrub.Findings.Where(f => f.Problem is not null).Select(f => f.Problem))}");
        }
    }

    private static Process Start(string policy, string clock, int maxJobs, out List<string> lines)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { FolderLeaseTests.LocateChild(), "run", policy, clock, maxJobs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var collected = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (collected)
                    collected.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lines = collected;
        return process;
    }

    private static void WaitFor(List<string> lines, string line, Process child) =>
        WaitUntil(lines, l => l.Contains(line), $"'{line}'", child);

    private static void WaitForBegun(List<string> lines, int jobs, Process child) =>
        WaitUntil(lines, l => l.Count(x => x.StartsWith("begin ", StringComparison.Ordinal)) >= jobs, $"{jobs} job(s) to begin", child);

    private static void WaitUntil(List<string> lines, Func<List<string>, bool> seen, string what, Process child)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (lines)
            {
                if (seen(lines))
                    return;
            }
            Assert.False(child.HasExited, $"the runner exited ({(child.HasExited ? child.ExitCode : 0)}) before {what}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the runner did not print {what} within 60 s");
            Thread.Sleep(1);
        }
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NativeHnsw.Backup.Hosting;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw policy init|check</c> and <c>nhnsw schedule run|plan|status</c>: the backup policy and its scheduler.</summary>
public static partial class NhnswCli
{
    private static Command PolicyCommand(Context context)
    {
        var command = new Command("policy", "Write or check a backup policy (docs/OPERATIONS.md describes it).");

        var path = new Argument<string>("file") { Description = "where to write the example policy", DefaultValueFactory = _ => "nhnsw-policy.json" };
        var force = new Option<bool>("--force") { Description = "overwrite an existing file" };
        var initJson = JsonOption();
        var init = new Command("init", "Write a commented example policy to edit.") { path, force, initJson };
        init.SetAction(parsed =>
        {
            string file = Path.GetFullPath(parsed.GetValue(path)!);
            if (File.Exists(file) && !parsed.GetValue(force))
                throw new CliUsageException($"'{file}' exists; pass --force to overwrite it.");
            File.WriteAllText(file, PolicyExample.Json);
            if (context.Ui.Json)
                context.Json(new { ok = true, file });
            else
                context.Ui.Line($"[green]wrote[/] {Markup.Escape(file)}: edit its sources and targets, then run 'nhnsw policy check --policy {Markup.Escape(file)}'");
        });
        command.Subcommands.Add(init);

        var policy = PolicyOption();
        var offline = new Option<bool>("--offline") { Description = "check the file alone, without listing the targets (skips the quota check)" };
        var checkJson = JsonOption();
        var check = new Command("check", "Validate a policy: the file, then each target's quota against what it stores. Exit 2 naming the bad field's JSON path.") { policy, offline, checkJson };
        check.SetAction(parsed =>
        {
            var loaded = LoadPolicy(context, parsed.GetValue(policy)!, quotas: !parsed.GetValue(offline));
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, sources = loaded.Sources.Count, targets = loaded.Targets.Count, jobs = loaded.Jobs.Count });
                return;
            }
            context.Ui.Line($"[green]ok[/] {loaded.Sources.Count} source(s), {loaded.Targets.Count} target(s), {loaded.Jobs.Count} job(s)");
        });
        command.Subcommands.Add(check);
        return command;
    }

    private static Command ScheduleCommand(Context context)
    {
        var command = new Command("schedule", "Run a policy's jobs on their schedules, or show what they will do and have done.");

        var runPolicy = PolicyOption();
        var runState = StateOption();
        var shutdown = new Option<int>("--shutdown-timeout") { Description = "seconds a stop waits for the running job before abandoning it (nothing partial is left visible either way)", DefaultValueFactory = _ => 30 };
        var runJson = JsonOption();
        var run = new Command("run", "Run the scheduler in the foreground until SIGINT or SIGTERM (the same service AddNativeHnswBackups adds to a host). With --json, logs are JSON lines.") { runPolicy, runState, shutdown, runJson };
        run.SetAction(parsed =>
        {
            string file = parsed.GetValue(runPolicy)!;
            int waitSeconds = NonNegative("--shutdown-timeout", parsed.GetValue(shutdown));
            LoadPolicy(context, file, quotas: true);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Path.GetDirectoryName(Path.GetFullPath(file)) });
            builder.Logging.ClearProviders();
            if (context.Ui.Json)
                builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
            else
                builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z' "; });
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(waitSeconds));
            builder.Services.AddNativeHnswBackups(o =>
            {
                o.PolicyFile = file;
                o.StateFile = parsed.GetValue(runState);
            });
            using var host = builder.Build();
            host.Run();
        });
        command.Subcommands.Add(run);

        var planPolicy = PolicyOption();
        var planState = StateOption();
        var count = new Option<int>("--count", "-n") { Description = "runs to show per job", DefaultValueFactory = _ => 1 };
        var planJson = JsonOption();
        var plan = new Command("plan", "Print the next run of every job, in UTC and in the job's time zone.") { planPolicy, planState, count, planJson };
        plan.SetAction(parsed =>
        {
            var loaded = LoadPolicy(context, parsed.GetValue(planPolicy)!, quotas: false);
            int n = Positive("--count", parsed.GetValue(count), 1000);
            var state = ReadState(loaded, parsed.GetValue(planPolicy)!, parsed.GetValue(planState));
            var now = DateTimeOffset.UtcNow;
            var rows = loaded.Jobs.Select(job =>
            {
                var schedule = new JobSchedule(job, loaded.TimeZone);
                var runs = new List<DateTimeOffset>();
                // A slot missed while no scheduler ran is due at once; then the cron's slots from now.
                var from = state.Jobs.TryGetValue(job.Name, out var js) && schedule.NextAfter(js.LastSlotUtc) is { } missed && missed <= now ? (DateTimeOffset?)missed : null;
                if (from is { } m)
                    runs.Add(m);
                for (var t = schedule.NextAfter(now); t is { } next && runs.Count < n; t = schedule.NextAfter(next))
                    runs.Add(next);
                return (job, schedule, runs, overdue: from is not null);
            }).ToList();
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = true,
                    now,
                    jobs = rows.Select(r => new
                    {
                        r.job.Name,
                        type = r.job.Type.ToString().ToLowerInvariant(),
                        r.job.Cron,
                        timeZone = r.schedule.TimeZone.Id,
                        r.overdue,
                        next = r.runs.Select(t => new { utc = t, local = TimeZoneInfo.ConvertTime(t, r.schedule.TimeZone) }),
                    }),
                });
                return;
            }
            var table = new Table().AddColumns("job", "type", "cron", "time zone", "next run (UTC)", "local");
            foreach (var r in rows)
            {
                foreach (var t in r.runs.DefaultIfEmpty())
                {
                    table.AddRow(Markup.Escape(r.job.Name), r.job.Type.ToString().ToLowerInvariant(), Markup.Escape(r.job.Cron), Markup.Escape(r.schedule.TimeZone.Id),
                        t == default ? "never" : Utc(t) + (r.overdue && t == r.runs[0] ? " [yellow](overdue: at start)[/]" : ""),
                        t == default ? "" : TimeZoneInfo.ConvertTime(t, r.schedule.TimeZone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
                }
            }
            context.Ui.Write(table);
        });
        command.Subcommands.Add(plan);

        var statusPolicy = PolicyOption();
        var statusState = StateOption();
        var statusJson = JsonOption();
        var status = new Command("status", "Print, per source, the newest good backup in each tier, the last drill and scrub, and every overdue job.") { statusPolicy, statusState, statusJson };
        status.SetAction(parsed =>
        {
            string file = parsed.GetValue(statusPolicy)!;
            var loaded = LoadPolicy(context, file, quotas: false);
            var state = ReadState(loaded, file, parsed.GetValue(statusState));
            var newest = BackupJobExecutor.NewestByTier(loaded);
            var now = DateTimeOffset.UtcNow;
            var overdue = loaded.Jobs
                .Select(job => (job, due: state.Jobs.TryGetValue(job.Name, out var js) ? new JobSchedule(job, loaded.TimeZone).NextAfter(js.LastSlotUtc) : null, js))
                .Where(x => x.js is null || x.due <= now)
                .ToList();
            var sources = loaded.Sources.Select(s => (source: s, tiers: newest.Where(b => b.Source == s.Name).ToList(), st: state.Sources.GetValueOrDefault(s.Name))).ToList();
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = overdue.Count == 0,
                    now,
                    sources = sources.Select(x => new
                    {
                        x.source.Name,
                        tiers = x.tiers.Select(b => new { b.Tier, b.Target, b.BackupId, b.CreatedUtc, b.Incremental, ageSeconds = (now - b.CreatedUtc).TotalSeconds }),
                        lastDrill = x.st?.LastDrillUtc is null ? null : new { at = x.st.LastDrillUtc, passed = x.st.LastDrillPassed, rtoSeconds = x.st.LastDrillRto?.TotalSeconds, targetSeconds = x.source.Rto?.TotalSeconds, message = x.st.LastDrillMessage },
                        lastScrub = x.st?.LastScrubUtc is null ? null : new { at = x.st.LastScrubUtc, failures = x.st.LastScrubFailures },
                    }),
                    overdue = overdue.Select(o => new { o.job.Name, dueUtc = o.due, neverRun = o.js is null, lastOutcome = o.js?.LastOutcome, lastMessage = o.js?.LastMessage }),
                });
                return;
            }
            var table = new Table().AddColumns("source", "tier", "newest backup", "age", "last drill", "last scrub");
            foreach (var (source, tiers, st) in sources)
            {
                string drill = st?.LastDrillUtc is { } d ? $"{Utc(d)} {(st.LastDrillPassed == true ? "[green]passed[/]" : "[red]failed[/]")} in {(st.LastDrillRto is { } took ? DurationText.Format(took) : "?")}" + (source.Rto is { } rto ? $" (RTO {DurationText.Format(rto)})" : "") : "never";
                string scrub = st?.LastScrubUtc is { } sc ? $"{Utc(sc)}: {st.LastScrubFailures} damaged" : "never";
                if (tiers.Count == 0)
                    table.AddRow(Markup.Escape(source.Name), "-", "[red]none[/]", "", drill, scrub);
                foreach (var b in tiers)
                    table.AddRow(Markup.Escape(source.Name), Markup.Escape(b.Tier), $"{b.BackupId}{(b.Incremental ? " (incr.)" : "")} in {Markup.Escape(b.Target)}", Age(now - b.CreatedUtc), drill, scrub);
            }
            context.Ui.Write(table);
            foreach (var (job, due, js) in overdue)
                context.Ui.Line(js is null ? $"[yellow]overdue[/] {Markup.Escape(job.Name)}: no scheduler has run it with this state file" : $"[yellow]overdue[/] {Markup.Escape(job.Name)}: due {Utc(due!.Value)} (last run: {js.LastOutcome?.ToString().ToLowerInvariant() ?? "none"})");
            if (overdue.Count == 0)
                context.Ui.Line("[green]no job is overdue[/]");
        });
        command.Subcommands.Add(status);
        return command;
    }

    private static Option<string> PolicyOption() => new("--policy", "-p") { Description = "the policy file", Required = true };

    private static Option<string?> StateOption() => new("--state") { Description = "the scheduler's state file (default: the policy's stateFile, else POLICY.state.json beside it)" };

    /// <summary>Loads (and with <paramref name="quotas"/>, checks quotas of) a policy; a bad one is bad usage (exit 2), with the field's JSON path.</summary>
    private static BackupPolicy LoadPolicy(Context context, string file, bool quotas)
    {
        try
        {
            var policy = BackupPolicy.Load(file);
            if (quotas)
                BackupJobExecutor.CheckQuotas(policy, Path.GetFullPath(file));
            return policy;
        }
        catch (PolicyException e)
        {
            if (context.Ui.Json)
                context.Json(new { ok = false, error = e.Message, file = e.File, path = e.JsonPath, problem = e.Problem });
            throw new CliUsageException(e.Message);
        }
    }

    private static SchedulerState ReadState(BackupPolicy policy, string policyFile, string? stateFile)
    {
        var options = new BackupSchedulerOptions { PolicyFile = policyFile, StateFile = stateFile };
        try
        {
            return new SchedulerStateFile(options.ResolveStateFile(policy)).Read();
        }
        catch (InvalidDataException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    private static string Age(TimeSpan age) => age.TotalDays >= 1
        ? age.TotalDays.ToString("0.0", CultureInfo.InvariantCulture) + " d"
        : age.TotalHours >= 1 ? age.TotalHours.ToString("0.0", CultureInfo.InvariantCulture) + " h" : Math.Max(0, age.TotalMinutes).ToString("0", CultureInfo.InvariantCulture) + " min";
}

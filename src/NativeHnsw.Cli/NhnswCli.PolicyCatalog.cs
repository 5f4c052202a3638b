using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw backups --policy</c> and <c>nhnsw prune --policy</c>: the whole catalog of a policy, across its tiers.</summary>
public static partial class NhnswCli
{
    /// <summary>--target, made optional, and --policy instead of it.</summary>
    private static (Option<string> Target, Option<string?> Policy) TargetOrPolicyOptions(string policyDescription)
    {
        var target = TargetOption();
        target.Required = false;
        target.Description += "; or give --policy instead";
        return (target, new Option<string?>("--policy", "-p") { Description = policyDescription });
    }

    /// <returns>The policy file, or null when --target was given.</returns>
    private static string? TargetOrPolicy(ParseResult parsed, Option<string> target, Option<string?> policy)
    {
        string? file = parsed.GetValue(policy);
        bool hasTarget = parsed.GetValue(target) is not null;
        if (file is not null && hasTarget)
            throw new CliUsageException("give --target or --policy, not both.");
        if (file is null && !hasTarget)
            throw new CliUsageException("give --target (one backup folder or bucket) or --policy (every target of a policy).");
        return file;
    }

    private static void ListPolicyBackups(Context context, BackupPolicy policy)
    {
        var (backups, problems) = PolicyBackup.List(policy);
        bool ok = problems.Count == 0 && backups.All(b => b.Copies.All(c => c.State == BackupState.Ok));
        if (context.Ui.Json)
        {
            context.Json(new
            {
                ok,
                backups = backups.Select(b => new
                {
                    b.Backup.Id,
                    b.Backup.CreatedUtc,
                    b.Backup.Kind,
                    b.Backup.Parent,
                    b.Source,
                    sourcePath = b.Backup.Source,
                    state = StateName(b.State),
                    records = Records(b.Backup),
                    bytes = b.Backup.Files.Sum(f => f.Length),
                    copies = b.Copies.Select(c => new { c.Target, c.Tier, state = StateName(c.State), c.Problem }),
                }),
                problems = problems.Select(p => new { p.Target, p.State, p.Problem.BackupId, problem = p.Problem.Problem }),
            });
        }
        else
        {
            var table = new Table().AddColumns("id", "created (UTC)", "kind", "source", "state", "records", "size", "tiers (targets)");
            foreach (var b in backups)
            {
                string state = b.State == BackupState.Ok ? "ok" : $"[red]{StateName(b.State)}[/]";
                string copies = string.Join(", ", b.Copies.Select(c => $"{c.Tier} ({c.Target}{(c.State == BackupState.Ok ? "" : ": " + StateName(c.State))})"));
                table.AddRow(b.Backup.Id, Utc(b.Backup.CreatedUtc), b.Backup.Kind.ToString().ToLowerInvariant() + (b.Backup.Parent is null ? "" : " of " + b.Backup.Parent),
                    Markup.Escape(b.Source ?? b.Backup.Source), state, Records(b.Backup)?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    Bytes(b.Backup.Files.Sum(f => f.Length)), Markup.Escape(copies));
            }
            foreach (var (t, state, _) in problems)
                table.AddRow("", "", "", "", $"[red]{state}[/]", "", "", Markup.Escape(t));
            context.Ui.Write(table);
            context.Ui.Line($"{backups.Count} backup(s) in {policy.Targets.Count} target(s), {backups.Sum(b => b.Copies.Count)} cop{(backups.Sum(b => b.Copies.Count) == 1 ? "y" : "ies")}");
            foreach (var b in backups)
            {
                foreach (var c in b.Copies.Where(c => c.Problem is not null))
                    context.Ui.Line($"[red]{StateName(c.State)}[/] {b.Backup.Id} in '{Markup.Escape(c.Target)}': {Markup.Escape(c.Problem!)}");
            }
            foreach (var (t, state, p) in problems)
                context.Ui.Line($"[red]{state}[/] in '{Markup.Escape(t)}': {Markup.Escape(p.Message)}");
        }
        if (!ok)
            context.ExitCode = Failed;
    }

    /// <summary>
    /// The prune job of the policy, run now: a dry run prints each source's plan over the whole catalog; a real one takes
    /// every target's lease first (as a runner's prune does), so it never prunes beside a runner's job.
    /// </summary>
    private static void PrunePolicy(Context context, BackupPolicy policy, bool dryRun)
    {
        if (dryRun)
        {
            var plans = BackupJobExecutor.PlanPrune(policy);
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = true,
                    dryRun = true,
                    sources = plans.Select(p => new
                    {
                        source = p.Source,
                        kept = p.Plan.Kept.Select(k => new { k.Backup.Id, k.Backup.CreatedUtc, k.Reasons, targets = p.Holders[k.Backup.Id] }),
                        pruned = p.Plan.Pruned.Select(b => new { b.Id, targets = p.Holders[b.Id] }),
                    }),
                });
                return;
            }
            foreach (var (source, plan, holders) in plans)
            {
                foreach (var k in plan.Kept)
                    context.Ui.Line($"keep   {k.Backup.Id}  {Markup.Escape(source)} in {Markup.Escape(string.Join(", ", holders[k.Backup.Id]))}  [grey]{Markup.Escape(string.Join("; ", k.Reasons))}[/]");
                foreach (var b in plan.Pruned)
                    context.Ui.Line($"[yellow]would delete[/] {b.Id}  {Markup.Escape(source)} from {Markup.Escape(string.Join(", ", holders[b.Id]))}");
            }
            context.Ui.Line($"{plans.Sum(p => p.Plan.Kept.Count)} kept, {plans.Sum(p => p.Plan.Pruned.Count)} would be deleted (dry run)");
            return;
        }
        var opened = new List<IBackupTarget>();
        try
        {
            foreach (var t in policy.Targets)
                opened.Add(PolicyTargets.Open(t));
            using var leases = ManualLeases.Take("prune", opened, context.Ui);
            using var executor = new BackupJobExecutor(TimeProvider.System, NullLogger<BackupJobExecutor>.Instance);
            var result = executor.Run(policy, new JobPolicy { Name = "prune", Type = JobType.Prune }, CancellationToken.None);
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = result.Outcome != JobOutcome.Failed,
                    dryRun = false,
                    outcome = result.Outcome.ToString().ToLowerInvariant(),
                    result.Message,
                    events = result.Events.Select(e => new { e.Source, kind = e.Kind.ToString(), e.BackupId, e.Target, e.Message }),
                });
            }
            else
            {
                foreach (var e in result.Events)
                {
                    context.Ui.Line(e.Kind == JobEventKind.Removed
                        ? $"[red]delete[/] {e.BackupId}  {Markup.Escape(e.Source)} from {Markup.Escape(e.Target ?? "")}"
                        : $"[red]failed[/] {e.BackupId}  {Markup.Escape(e.Source)} in {Markup.Escape(e.Target ?? "")}: {Markup.Escape(e.Message ?? "")}");
                }
                context.Ui.Line(Markup.Escape(result.Message));
            }
            if (result.Outcome == JobOutcome.Failed)
                context.ExitCode = Failed;
        }
        finally
        {
            foreach (var t in opened)
                (t as IDisposable)?.Dispose();
        }
    }
}

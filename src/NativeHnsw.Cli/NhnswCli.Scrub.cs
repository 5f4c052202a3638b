using System.CommandLine;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw scrub</c>: re-hash every stored file, mark what is damaged; and the selection that makes restores pass marked copies over.</summary>
public static partial class NhnswCli
{
    private static Command ScrubCommand(Context context)
    {
        var target = TargetOption();
        var noMark = new Option<bool>("--no-mark") { Description = "only report; write no marks (a read-only target)" };
        var json = JsonOption();
        var command = new Command("scrub", "Re-read every file of every backup and check its SHA-256 against the manifest. A damaged backup, or an incremental "
            + "depending on one, is marked beside it (never by editing its manifest), and restore and drill pass it over. Exit 1 when anything is damaged.")
        {
            target, noMark, json,
        };
        command.SetAction(parsed =>
        {
            using var folder = OpenTarget(parsed.GetValue(target)!, mustExist: true);
            bool mark = !parsed.GetValue(noMark);
            // Marks are writes beside the backups: held under the target's lease, as the scrub job holds it.
            using var lease = mark ? ManualLeases.Take("scrub", [folder], context.Ui) : null;
            var report = context.Ui.Step("scrub", _ => TargetScrubber.Scrub(folder, TimeProvider.System, CancellationToken.None, mark: mark));
            if (report.DamagedCount > 0)
                context.ExitCode = Failed;
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = report.DamagedCount == 0,
                    target = report.Target,
                    marked = mark,
                    backups = report.Findings.Select(f => new { id = f.Backup.Id, state = StateName(f.State), problem = f.Problem, markCleared = f.Cleared }),
                    unreadable = report.Unreadable.Select(p => new { id = p.BackupId, problem = p.Problem }),
                });
                return;
            }
            var table = new Table().AddColumns("backup", "state", "problem");
            foreach (var f in report.Findings)
                table.AddRow(f.Backup.Id, f.State == BackupState.Ok ? "[green]ok[/]" + (f.Cleared ? " (mark cleared)" : "") : $"[red]{StateName(f.State)}[/]", Markup.Escape(f.Problem ?? ""));
            foreach (var p in report.Unreadable)
                table.AddRow(Markup.Escape(p.BackupId ?? "?"), "[red]unusable[/]", Markup.Escape(p.Problem));
            context.Ui.Write(table);
            context.Ui.Line(report.DamagedCount == 0
                ? $"[green]{report.Findings.Count} backup(s) intact[/]"
                : $"[red]{report.DamagedCount} of {report.Findings.Count + report.Unreadable.Count} backup(s) damaged[/]" + (mark ? "; marked: restore and drill pass them over" : " (not marked: --no-mark)"));
        });
        return command;
    }

    /// <summary>
    /// The backup a restore or drill of <paramref name="selector"/> takes: the newest one that matches and has no scrub
    /// mark on itself or its chain, each one passed over named on the console with why.
    /// </summary>
    private static BackupSelector HealthySelector(Context context, IBackupTarget target, BackupSelector selector)
    {
        var choice = HealthyBackups.Choose(target, selector);
        foreach (var skipped in choice.Skipped)
            context.Ui.Line($"[yellow]skipped[/] {skipped.BackupId}: {Markup.Escape(skipped.Reason)}");
        if (choice.Skipped.Count > 0)
            context.Ui.Line($"using {choice.Backup.Id}, the newest good backup");
        return BackupSelector.ById(choice.Backup.Id);
    }
}

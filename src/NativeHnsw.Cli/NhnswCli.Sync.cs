using System.CommandLine;
using NativeHnsw.Backup.Hosting;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw sync</c>: copy the backups one target lacks from another, verified at the destination.</summary>
public static partial class NhnswCli
{
    private static Command SyncCommand(Context context)
    {
        var from = new Option<string>("--from") { Description = "the target to copy from: a backup folder or s3://BUCKET/PREFIX", Required = true };
        var to = new Option<string>("--to") { Description = "the target to copy to (a folder is created if absent)", Required = true };
        var since = new Option<string?>("--since") { Description = "only backups taken at or after this UTC time (ISO 8601), plus the parents they need" };
        var dryRun = new Option<bool>("--dry-run") { Description = "list what would be copied; copy nothing" };
        var json = JsonOption();
        var command = new Command("sync", "Copy the backups --to lacks from --from, oldest first, the manifest last; read every copied file back from --to and check its "
            + "SHA-256. Backups already there are skipped, so a sync cut short is finished by running it again. Exit 1 when any backup failed.")
        {
            from, to, since, dryRun, json,
        };
        command.SetAction(parsed =>
        {
            DateTimeOffset? after = parsed.GetValue(since) is { } s ? ParseInstant("--since", s) : null;
            string toSpec = parsed.GetValue(to)!;
            using var source = OpenTarget(parsed.GetValue(from)!, mustExist: true);
            if (!toSpec.StartsWith("s3://", StringComparison.Ordinal))
                Directory.CreateDirectory(toSpec);
            using var destination = OpenTarget(toSpec);
            bool dry = parsed.GetValue(dryRun);
            // Only the destination is written; the source is read.
            using var lease = dry ? null : ManualLeases.Take("sync", [destination], context.Ui);
            var report = context.Ui.Step(dry ? "sync (dry run)" : "sync", _ => TargetSync.Run(source, destination, after, dry, CancellationToken.None));
            if (report.Failed > 0)
                context.ExitCode = Failed;
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = report.Failed == 0,
                    from = report.From,
                    to = report.To,
                    dryRun = report.DryRun,
                    copied = report.Copied,
                    skipped = report.Skipped,
                    failed = report.Failed,
                    wouldCopy = report.WouldCopy,
                    bytesCopied = report.BytesCopied,
                    backups = report.Items.Select(i => new { id = i.BackupId, createdUtc = i.CreatedUtc, outcome = i.Outcome.ToString().ToLowerInvariant(), bytes = i.Bytes, reason = i.Reason }),
                });
                return;
            }
            var table = new Table().AddColumns("backup", "taken (UTC)", "outcome").AddColumn(new TableColumn("size").RightAligned()).AddColumn("why");
            foreach (var i in report.Items)
            {
                string outcome = i.Outcome switch
                {
                    SyncOutcome.Copied => "[green]copied, verified[/]",
                    SyncOutcome.Skipped => "skipped",
                    SyncOutcome.WouldCopy => "[yellow]would copy[/]",
                    _ => "[red]failed[/]",
                };
                table.AddRow(i.BackupId, Utc(i.CreatedUtc), outcome, Bytes(i.Bytes), Markup.Escape(i.Reason ?? ""));
            }
            context.Ui.Write(table);
            context.Ui.Line(dry
                ? $"dry run: {report.WouldCopy} to copy, {report.Skipped} already there, {report.Failed} cannot be copied"
                : $"{report.Copied} copied ({Bytes(report.BytesCopied)}), {report.Skipped} skipped, {report.Failed} failed: {Markup.Escape(report.From)} → {Markup.Escape(report.To)}");
        });
        return command;
    }
}

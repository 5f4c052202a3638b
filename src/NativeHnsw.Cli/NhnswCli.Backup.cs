using System.CommandLine;
using System.Globalization;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using NativeHnsw.Storage;
using Spectre.Console;

namespace NativeHnsw.Cli;

public static partial class NhnswCli
{
    private static Command BackupCommand(Context context)
    {
        var index = new Argument<string>("source") { Description = "the index file (it may be replaced by saves meanwhile) or store folder to back up (when another client has the store open, it is read through a read-only open)" };
        var target = TargetOption();
        var incremental = new Option<bool>("--incremental") { Description = "store only what changed: for an index file, as chunks, storing only those no earlier backup in the target holds (the backup restores on its own); for a store, the records changed since the newest store backup in the target (chained to it)" };
        var chunked = new Option<bool>("--chunked") { Description = "for a store: store its database and checkpoints as chunks, each once per target (a full backup that costs what changed)" };
        var json = JsonOption();
        var command = new Command("backup", "Take a verified, checksummed backup of an index file or a store folder into a backup folder.") { index, target, incremental, chunked, json };
        command.SetAction(parsed =>
        {
            string source = parsed.GetValue(index)!;
            using var folder = OpenTarget(parsed.GetValue(target)!);
            if (StoreFolder.IsStore(source))
            {
                bool delta = parsed.GetValue(incremental);
                using var client = StoreBackup.OpenForBackup(source, out bool readOnly);
                // The source checked first: a command that cannot run takes no lease (and makes no target folder).
                using var storeLease = ManualLeases.Take("backup", [folder], context.Ui);
                if (readOnly && !context.Ui.Json)
                    context.Ui.Line($"[yellow]note[/] {Markup.Escape(client.Path)} is open in another client (its LOCK is held): backing it up through a read-only open, beside that client's writes");
                var stored = context.Ui.Step("backup", progress => delta
                    ? StoreBackup.BackupIncremental(client, folder, null, new BackupOptions { Progress = progress })
                    : StoreBackup.Backup(client, folder, new BackupOptions { Progress = progress, Chunked = parsed.GetValue(chunked) }));
                if (context.Ui.Json)
                {
                    context.Json(new { ok = true, readOnly, manifest = stored });
                    return;
                }
                var summary = stored.Store!;
                string kind = stored.Parent is null ? "full" : "incremental of " + stored.Parent;
                context.Ui.Line($"[green]backup[/] {stored.Id} ({kind}): store at change {summary.Sequence}, {summary.Collections.Count} collection(s), {summary.Collections.Sum(c => c.Records):N0} records, {stored.Files.Count} file(s), {Bytes(stored.Files.Sum(f => f.Length))}{NewBytes(stored)} → {Markup.Escape(folder.Description)}");
                return;
            }
            if (parsed.GetValue(chunked))
                throw new CliUsageException("--chunked applies to a store folder; for an index file, --incremental stores it as chunks.");
            string path = ExistingFile(source);
            bool asChunks = parsed.GetValue(incremental);
            using var lease = ManualLeases.Take("backup", [folder], context.Ui);
            var manifest = context.Ui.Step("backup", progress => IndexBackup.BackupFile(path, folder, new BackupOptions { Progress = progress, Chunked = asChunks }));
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, manifest });
                return;
            }
            var file = manifest.Files[0];
            context.Ui.Line($"[green]backup[/] {manifest.Id}: {manifest.Index!.Count:N0} records × {manifest.Index.Dimensions}, {Bytes(file.Length)}{NewBytes(manifest)}, sha256 {file.Sha256[..16]}… → {Markup.Escape(folder.Description)}");
        });
        return command;
    }

    /// <summary>", in N chunks, M new" for a backup with chunked files; empty for one stored whole.</summary>
    private static string NewBytes(BackupManifest manifest)
    {
        int chunks = manifest.Files.Sum(f => f.Chunks?.Count ?? 0);
        return chunks == 0 ? "" : $" in {chunks:N0} chunks, {Bytes(manifest.StoredBytes ?? 0)} stored new";
    }

    private static Command BackupsCommand(Context context)
    {
        var (target, policy) = TargetOrPolicyOptions("list every target of a policy as one catalog: each backup once, with the targets (tiers) that hold it");
        var json = JsonOption();
        var command = new Command("backups", "List the backups in a backup folder (or every target of a policy), oldest first, and any that cannot be read.") { target, policy, json };
        command.SetAction(parsed =>
        {
            if (TargetOrPolicy(parsed, target, policy) is { } file)
            {
                ListPolicyBackups(context, LoadPolicy(context, file, quotas: false));
                return;
            }
            using var opened = OpenTarget(parsed.GetValue(target)!, mustExist: true);
            var catalog = BackupCatalog.Load(opened);
            var health = catalog.Check();
            bool ok = catalog.Problems.Count == 0 && health.All(h => h.State == BackupState.Ok);
            string Unusable(BackupException p) => catalog.PartialIds.Contains(p.BackupId!) ? "partial" : "unreadable";
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok,
                    target = catalog.Target.Description,
                    backups = health.Select(p => new
                    {
                        p.Backup.Id,
                        p.Backup.CreatedUtc,
                        p.Backup.Kind,
                        p.Backup.Parent,
                        p.Backup.SourceKind,
                        p.Backup.Source,
                        p.Backup.ToolVersion,
                        state = StateName(p.State),
                        problem = p.Problem?.Problem,
                        records = Records(p.Backup),
                        collections = p.Backup.Store?.Collections.Count,
                        sequence = p.Backup.Store?.Sequence,
                        vectors = p.Backup.Index?.NodeCount,
                        dimensions = p.Backup.Index?.Dimensions,
                        metric = p.Backup.Index?.Metric,
                        collectionShapes = p.Backup.Store?.Collections.Select(c => new { c.Name, c.Dimensions, c.Metric, c.Records }),
                        bytes = p.Backup.Files.Sum(f => f.Length),
                    }),
                    problems = catalog.Problems.Select(p => new { p.BackupId, state = Unusable(p), p.Problem }),
                });
            }
            else
            {
                var table = new Table().AddColumn("id").AddColumn("created (UTC)").AddColumn("kind").AddColumn("state").AddColumn("records").AddColumn("dims").AddColumn("metric").AddColumn("size").AddColumn("source");
                foreach (var h in health)
                {
                    var b = h.Backup;
                    string state = h.State == BackupState.Ok ? "ok" : $"[red]{StateName(h.State)}[/]";
                    table.AddRow(b.Id, Utc(b.CreatedUtc), b.Kind.ToString().ToLowerInvariant() + (b.Parent is null ? "" : " of " + b.Parent), state,
                        Records(b)?.ToString("N0", CultureInfo.InvariantCulture) ?? "", Markup.Escape(Dimensions(b)), Markup.Escape(Metrics(b)), Bytes(b.Files.Sum(f => f.Length)), Markup.Escape(b.Source));
                }
                foreach (var p in catalog.Problems)
                    table.AddRow(Markup.Escape(p.BackupId ?? ""), "", "", $"[red]{Unusable(p)}[/]", "", "", "", "", "");
                context.Ui.Write(table);
                context.Ui.Line($"{catalog.Backups.Count} backup(s) in {Markup.Escape(catalog.Target.Description)}");
                foreach (var h in health.Where(h => h.Problem is not null))
                    context.Ui.Line($"[red]{StateName(h.State)}[/] {Markup.Escape(h.Problem!.Message)}");
                foreach (var p in catalog.Problems)
                    context.Ui.Line($"[red]{Unusable(p)}[/] {Markup.Escape(p.Message)}");
            }
            if (!ok)
                context.ExitCode = Failed;
        });
        return command;
    }

    private static string StateName(BackupState state) => state switch
    {
        BackupState.Ok => "ok",
        BackupState.Damaged => "damaged",
        _ => "broken chain",
    };

    private static long? Records(BackupManifest b) => b.Index?.Count ?? b.Store?.Collections.Sum(c => (long)c.Records);

    /// <summary>An index's dimensions; a store's, one per distinct value over its collections.</summary>
    private static string Dimensions(BackupManifest b) =>
        b.Index is { } index ? index.Dimensions.ToString(CultureInfo.InvariantCulture)
        : string.Join(", ", (b.Store?.Collections ?? []).Select(c => c.Dimensions).Distinct().Order().Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private static string Metrics(BackupManifest b) =>
        b.Index is { } index ? index.Metric.ToString()
        : string.Join(", ", (b.Store?.Collections ?? []).Select(c => c.Metric).Distinct().Order().Select(m => m.ToString()));

    private static Command RestoreCommand(Context context)
    {
        var (target, policy, source) = RestoreSourceOptions();
        var to = new Option<string>("--to") { Description = "the live index file, or for a store backup the live store folder, to replace (created if absent)", Required = true };
        var (id, before) = SelectorOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "run every check, then discard the restored copy; the live file is not touched" };
        var pointInTime = PointInTimeOptions();
        var json = JsonOption();
        var command = new Command("restore", "Restore a backup over a live index file: checksums → verify → counts → sample queries → atomic switch. On any failure the live file is untouched.")
        {
            target, policy, source, to, id, before, dryRun, pointInTime.At, pointInTime.Seq, json,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(policy) is not null && (parsed.GetValue(pointInTime.At) is not null || parsed.GetValue(pointInTime.Seq) is not null))
                throw new CliUsageException("--at and --seq restore from one target's shipped segments: give --target, not --policy.");
            if (TryPointInTimeRestore(context, parsed, target, to, pointInTime, parsed.GetValue(id) is not null || parsed.GetValue(before) is not null, parsed.GetValue(dryRun)))
                return;
            var (folder, selector) = RestoreSource(context, parsed, target, policy, source, Selector(parsed.GetValue(id), parsed.GetValue(before)));
            using var disposeFolder = folder;
            string live = parsed.GetValue(to)!;
            bool dry = parsed.GetValue(dryRun);
            if (IsStoreBackup(folder, selector))
            {
                var restored = context.Ui.Step(dry ? "restore (dry run)" : "restore", progress => StoreRestore.Restore(folder, selector, live, new RestoreOptions { DryRun = dry, Progress = progress }));
                WriteReport(context, restored, dry ? "dry run: every check passed; the live store was not touched" : $"restored {restored.Backup.Id} → {restored.TargetPath}");
                return;
            }
            if (Directory.Exists(live))
                throw new CliUsageException($"--to '{live}' is a folder; give the index file's path.");
            var report = context.Ui.Step(dry ? "restore (dry run)" : "restore", progress => IndexRestore.Restore(folder, selector, live, new RestoreOptions { DryRun = dry, Progress = progress }));
            WriteReport(context, report, dry ? "dry run: every check passed; the live file was not touched" : $"restored {report.Backup.Id} → {report.TargetPath}");
        });
        return command;
    }

    private static Command DrillCommand(Context context)
    {
        var (target, policy, source) = RestoreSourceOptions();
        var (id, before) = SelectorOptions();
        var scratch = new Option<string?>("--scratch") { Description = "scratch folder to restore into (default: the system temp folder)" };
        var json = JsonOption();
        var command = new Command("drill", "Restore a backup into a scratch folder, load it, and report every check and how long each step took (your recovery time).")
        {
            target, policy, source, id, before, scratch, json,
        };
        command.SetAction(parsed =>
        {
            var (folder, selector) = RestoreSource(context, parsed, target, policy, source, Selector(parsed.GetValue(id), parsed.GetValue(before)));
            using var disposeFolder = folder;
            string dir = parsed.GetValue(scratch) ?? Path.Combine(Path.GetTempPath(), "nhnsw-drill");
            var report = context.Ui.Step("drill", progress => IsStoreBackup(folder, selector)
                ? StoreRestore.Drill(folder, selector, dir, new RestoreOptions { Progress = progress })
                : IndexRestore.Drill(folder, selector, dir, new RestoreOptions { Progress = progress }));
            WriteReport(context, report, $"drill passed: {report.Backup.Id} restores in {DurationText.Format(report.Total)}");
        });
        return command;
    }

    /// <summary>--target (one folder or bucket) or, instead, --policy with --source (every target of the policy).</summary>
    private static (Option<string> Target, Option<string?> Policy, Option<string?> Source) RestoreSourceOptions()
    {
        var target = TargetOption();
        target.Required = false;
        target.Description += "; or give --policy and --source instead";
        var policy = new Option<string?>("--policy", "-p") { Description = "a backup policy: restore one of its sources from whichever of its targets holds the newest good copy, nearest tier first" };
        var source = new Option<string?>("--source") { Description = "with --policy: the policy source (its name) to restore" };
        return (target, policy, source);
    }

    /// <summary>
    /// Where a restore or drill reads, and what: from --target, the newest good backup there (<see cref="HealthySelector"/>);
    /// from --policy and --source, that source's newest good backup over every target of the policy, from the nearest
    /// tier holding a good copy (<see cref="PolicyRestore"/>, as the drill job chooses). Each copy passed over is named.
    /// </summary>
    private static (DisposableTarget Target, BackupSelector Selector) RestoreSource(Context context, ParseResult parsed, Option<string> target, Option<string?> policy, Option<string?> source, BackupSelector selector)
    {
        string? file = parsed.GetValue(policy);
        string? name = parsed.GetValue(source);
        if (file is null)
        {
            if (name is not null)
                throw new CliUsageException("--source names a source of a policy: give --policy too.");
            var folder = OpenTarget(parsed.GetValue(target) ?? throw new CliUsageException("give --target, or --policy and --source."), mustExist: true);
            return (folder, HealthySelector(context, folder, selector));
        }
        if (parsed.GetValue(target) is not null)
            throw new CliUsageException("give --target or --policy, not both.");
        if (name is null)
            throw new CliUsageException("--policy needs --source: the name of the policy source to restore.");
        var loaded = LoadPolicy(context, file, quotas: false);
        try
        {
            var choice = PolicyRestore.Choose(loaded, name, selector);
            foreach (var skipped in choice.Skipped)
                context.Ui.Line($"[yellow]skipped[/] {skipped.BackupId} in {Markup.Escape(skipped.Target)}: {Markup.Escape(skipped.Reason)}");
            string tier = loaded.Target(choice.Target).Tier;
            context.Ui.Line($"using {choice.Backup.Id} from target '{Markup.Escape(choice.Target)}' (tier {Markup.Escape(tier)}), the newest good backup of '{Markup.Escape(name)}'");
            return (new DisposableTarget(PolicyRestore.OpenTarget(loaded, choice.Target)), BackupSelector.ById(choice.Backup.Id));
        }
        catch (PolicyException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    private static Command PruneCommand(Context context)
    {
        var (target, policy) = TargetOrPolicyOptions("prune every target of a policy by its retention, over the whole catalog (a backup counts once, whichever targets hold it; it is deleted from all of them), holding the targets' leases");
        var daily = new Option<int>("--daily") { Description = "newest UTC days to keep one backup of", DefaultValueFactory = _ => 7 };
        var weekly = new Option<int>("--weekly") { Description = "newest ISO weeks to keep one backup of", DefaultValueFactory = _ => 4 };
        var monthly = new Option<int>("--monthly") { Description = "newest months to keep one backup of", DefaultValueFactory = _ => 12 };
        var dryRun = new Option<bool>("--dry-run") { Description = "list what would be deleted; delete nothing" };
        var json = JsonOption();
        var command = new Command("prune", "Delete backups outside grandfather-father-son retention (plus anything a kept backup depends on is kept).")
        {
            target, policy, daily, weekly, monthly, dryRun, json,
        };
        command.SetAction(parsed =>
        {
            if (TargetOrPolicy(parsed, target, policy) is { } file)
            {
                if (parsed.GetResult(daily) is { Implicit: false } || parsed.GetResult(weekly) is { Implicit: false } || parsed.GetResult(monthly) is { Implicit: false })
                    throw new CliUsageException("with --policy the retention is the policy's: give --daily/--weekly/--monthly only with --target.");
                PrunePolicy(context, LoadPolicy(context, file, quotas: false), parsed.GetValue(dryRun));
                return;
            }
            int d = NonNegative("--daily", parsed.GetValue(daily));
            int w = NonNegative("--weekly", parsed.GetValue(weekly));
            int m = NonNegative("--monthly", parsed.GetValue(monthly));
            if (d + w + m == 0)
                throw new CliUsageException("--daily, --weekly and --monthly cannot all be 0: that would delete every backup.");
            bool dry = parsed.GetValue(dryRun);
            using var opened = OpenTarget(parsed.GetValue(target)!, mustExist: true);
            using var lease = dry ? null : ManualLeases.Take("prune", [opened], context.Ui);
            var report = BackupPruner.Prune(opened, new RetentionPolicy(d, w, m), dry);
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = true,
                    dryRun = dry,
                    policy = new { daily = d, weekly = w, monthly = m },
                    kept = report.Plan.Kept.Select(k => new { k.Backup.Id, k.Backup.CreatedUtc, k.Reasons }),
                    pruned = report.Plan.Pruned.Select(p => p.Id),
                    deleted = report.Deleted,
                    unreadable = report.Unreadable.Select(p => new { p.BackupId, p.Problem }),
                    swept = report.Swept,
                    chunks = report.Chunks,
                });
                return;
            }
            foreach (var k in report.Plan.Kept)
                context.Ui.Line($"keep   {k.Backup.Id}  [grey]{Markup.Escape(string.Join("; ", k.Reasons))}[/]");
            foreach (var p in report.Plan.Pruned)
                context.Ui.Line($"{(dry ? "[yellow]would delete[/]" : "[red]delete[/]")} {p.Id}");
            foreach (var p in report.Unreadable)
                context.Ui.Line($"[red]left alone (unreadable)[/] {Markup.Escape(p.Message)}");
            foreach (var leftover in report.Swept)
                context.Ui.Line($"{(dry ? "[yellow]would sweep[/]" : "[red]sweep[/]")} {Markup.Escape(leftover)} [grey](left by a writer that never finished)[/]");
            context.Ui.Line($"{report.Plan.Kept.Count} kept, {report.Plan.Pruned.Count} {(dry ? "would be deleted (dry run)" : "deleted")}" + (report.Swept.Count == 0 ? "" : $", {report.Swept.Count} leftover(s) {(dry ? "would be swept" : "swept")}"));
            var chunks = report.Chunks;
            if (chunks.Skipped is not null)
                context.Ui.Line($"[yellow]chunks left alone[/]: {Markup.Escape(chunks.Skipped)}");
            else if (chunks.Kept + chunks.Deleted + chunks.OrphanPacks + chunks.TemporaryFiles > 0)
                context.Ui.Line(ChunkSweepLine(chunks, dry));
        });
        return command;
    }

    /// <summary>Prune's chunk line: what was kept and deleted, and what killed writers left (pack data without an index, temporary files), whose bytes are in the deleted figure.</summary>
    internal static string ChunkSweepLine(ChunkSweep chunks, bool dry) =>
        $"chunks: {chunks.Kept:N0} referenced ({Bytes(chunks.KeptBytes)}) kept, {chunks.Deleted:N0} unreferenced, {chunks.OrphanPacks:N0} orphan pack(s) and {chunks.TemporaryFiles:N0} temporary file(s) ({Bytes(chunks.DeletedBytes)}) {(dry ? "would be deleted" : "deleted")}";

    private static (Option<string?> Id, Option<string?> Before) SelectorOptions() =>
        (new Option<string?>("--id") { Description = "the backup to restore (default: the latest)" },
         new Option<string?>("--before") { Description = "the newest backup taken at or before this UTC time (ISO 8601)" });

    private static BackupSelector Selector(string? id, string? before)
    {
        if (id is not null && before is not null)
            throw new CliUsageException("give --id or --before, not both.");
        if (id is not null)
            return BackupSelector.ById(id);
        return before is null ? BackupSelector.Latest : BackupSelector.Before(ParseInstant("--before", before));
    }

    /// <summary>
    /// A backup folder, or <c>s3://BUCKET/PREFIX</c>: credentials from <c>AWS_ACCESS_KEY_ID</c> and
    /// <c>AWS_SECRET_ACCESS_KEY</c> (never the command line, which other users can see), the endpoint of an
    /// S3-compatible server from <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, the region from <c>AWS_REGION</c>.
    /// </summary>
    /// <param name="mustExist">For commands that read backups: a local folder that does not exist is bad usage (a typo), not an empty target.</param>
    private static DisposableTarget OpenTarget(string spec, bool mustExist = false)
    {
        if (!spec.StartsWith("s3://", StringComparison.Ordinal))
        {
            if (mustExist && !Directory.Exists(spec))
                throw new CliUsageException(File.Exists(spec) ? $"--target '{spec}' is a file, not a backup folder." : $"--target '{spec}': the backup folder does not exist.");
            return new DisposableTarget(new LocalFolderTarget(spec));
        }
        string rest = spec["s3://".Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0)
            throw new CliUsageException($"--target '{spec}' names no bucket; use s3://BUCKET/PREFIX.");
        string key = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? throw new CliUsageException("an s3:// target needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.");
        string secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? throw new CliUsageException("an s3:// target needs AWS_SECRET_ACCESS_KEY in the environment.");
        string? endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        Uri? uri = null;
        if (!string.IsNullOrEmpty(endpoint) && !Uri.TryCreate(endpoint, UriKind.Absolute, out uri))
            throw new CliUsageException($"the S3 endpoint '{endpoint}' is not an absolute URL.");
        var options = new S3TargetOptions { Bucket = bucket, Prefix = prefix, AccessKey = key, SecretKey = secret, Endpoint = uri };
        if (Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region)
            options = options with { Region = region };
        return new DisposableTarget(new S3Target(options));
    }

    private static bool IsStoreBackup(IBackupTarget target, BackupSelector selector) =>
        BackupCatalog.Load(target).Select(selector).SourceKind == BackupSourceKind.Store;

    private static void WriteReport(Context context, RestoreReport report, string summary)
    {
        if (context.Ui.Json)
        {
            context.Json(new
            {
                ok = true,
                backup = report.Backup.Id,
                report.Chain,
                report.TargetPath,
                report.DryRun,
                report.Switched,
                steps = report.Steps.Select(s => new { s.Name, s.Detail, seconds = s.Elapsed.TotalSeconds }),
                totalSeconds = report.Total.TotalSeconds,
            });
            return;
        }
        var table = new Table().AddColumn("step").AddColumn("checked").AddColumn(new TableColumn("time").RightAligned());
        foreach (var s in report.Steps)
            table.AddRow(s.Name, Markup.Escape(s.Detail), (s.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)) + " ms");
        table.AddRow("[bold]total[/]", "", "[bold]" + report.Total.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms[/]");
        context.Ui.Write(table);
        context.Ui.Line("[green]" + Markup.Escape(summary) + "[/]");
    }
}

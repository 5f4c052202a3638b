using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Backup;
using NativeHnsw.Storage;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw replicate</c> (continuous change shipping) and <c>nhnsw restore --at/--seq</c> (point-in-time restore).</summary>
public static partial class NhnswCli
{
    private static Command ReplicateCommand(Context context)
    {
        var store = new Argument<string>("store") { Description = "the store folder (a writer may hold it: the log is read beside it)" };
        var target = TargetOption();
        var every = new Option<string>("--every") { Description = "how often new commits are shipped (the recovery point): 1s, 250ms, 2m", DefaultValueFactory = _ => "1s" };
        var bound = new Option<long>("--queue-bound") { Description = "unshipped commits past which every round reports a problem (writes are never blocked)", DefaultValueFactory = _ => 1_000_000 };
        var once = new Option<bool>("--once") { Description = "ship what is waiting, then exit (for cron and scripts); exit code 1 when the round had a problem, such as the target's lease held by a runner's job (then nothing was done)" };
        var duration = new Option<string?>("--for") { Description = "stop after this long (default: until Ctrl-C / SIGTERM)" };
        var load = new Option<int>("--load") { Description = "measurement: upsert this many records per second into the store while shipping, then report the lag from commit to durable segment (p50/p99)" };
        var loadDims = new Option<int>("--load-dims") { Description = "dimensions of the --load vectors", DefaultValueFactory = _ => 64 };
        var json = JsonOption();
        var command = new Command("replicate", "Ship a store's change log to a backup target continuously: checksummed segments after each interval that had commits, on top of a full snapshot (taken when the target has none). Restore to any moment with 'restore --at' or '--seq'. Each round that ships holds the target's lease, as a runner's job does, and gives it up after: while a runner's job or another command holds it, the round ships nothing and says who holds it, and the next round tries again.")
        {
            store, target, every, bound, once, duration, load, loadDims, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string folder = parsed.GetValue(store)!;
            var interval = ParseDuration("--every", parsed.GetValue(every)!);
            TimeSpan? stopAfter = parsed.GetValue(duration) is { } d ? ParseDuration("--for", d) : null;
            int rate = NonNegative("--load", parsed.GetValue(load));
            if (rate > 0 && stopAfter is null)
                throw new CliUsageException("--load measures for a fixed time: give --for too (e.g. --for 60s).");
            int dims = Positive("--load-dims", parsed.GetValue(loadDims), 4096);
            if (!StoreFolder.IsStore(folder) && rate == 0)
                throw new CliUsageException($"'{folder}' is not a store folder (no {StoreFolder.DatabaseFileName}).");
            // The measuring load is this process's own writer (created first, so the shipper finds a store).
            using var loadClient = rate > 0 ? new PersistentClient(folder) : null;
            var loadCollection = loadClient?.GetOrCreateCollection("rpo-load", new CollectionOptions { Dimensions = dims });
            using var opened = OpenTarget(parsed.GetValue(target)!);
            // The target's lease for each round that ships, given up between rounds: a runner's jobs there run between them.
            bool onlyOnce = parsed.GetValue(once);
            using var leases = ManualLeases.ForRounds("replicate", [opened], onlyOnce
                ? "nothing was done, run 'replicate' again later"
                : "this round shipped nothing (its commits wait in the store's log), the next round tries again", context.Ui);
            var options = new ChangeShipperOptions
            {
                Interval = interval,
                QueueBound = Positive("--queue-bound", (int)Math.Min(int.MaxValue, parsed.GetValue(bound))),
                Segments = SegmentStore.For(opened.Inner),
                TargetScope = leases.Round,
            };
            using var shipper = new ChangeShipper(folder, opened, options);
            var lags = new List<TimeSpan>();
            long commits = 0, segments = 0, rounds = 0, problems = 0;
            var report = new CliUi.Reporter<ShipReport>(r =>
            {
                rounds++;
                commits += r.Commits;
                segments += r.Segments.Count;
                lags.AddRange(r.Lags);
                if (!r.Ok)
                    problems++;
                WriteRound(context, r);
            });
            if (onlyOnce)
            {
                report.Report(shipper.ShipOnce());
            }
            else
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (stopAfter is { } t)
                    stop.CancelAfter(t);
                var loadTask = loadCollection is not null ? Task.Run(() => SteadyLoad(loadCollection, rate, stop.Token), CancellationToken.None) : Task.CompletedTask;
                await shipper.RunAsync(report, stop.Token).ConfigureAwait(false);
                await loadTask.ConfigureAwait(false);
            }
            WriteSummary(context, rounds, commits, segments, problems, lags, shipper.LastShipped);
            if (problems > 0 && onlyOnce)
                context.ExitCode = Failed;
        });
        return command;
    }

    /// <summary>Upserts <paramref name="rate"/> records a second (in 10 batches a second, the pace kept by the wall clock) until cancelled; returns how many.</summary>
    private static long SteadyLoad(Collection collection, int rate, CancellationToken stop)
    {
        int dims = collection.Options.Dimensions;
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        long written = 0;
        const int TicksPerSecond = 10;
        while (!stop.IsCancellationRequested)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * rate);
            int n = (int)Math.Min(due - written, rate);
            if (n > 0)
            {
                var ids = Enumerable.Range(0, n).Select(i => "r" + ((written + i) % 100_000).ToString(CultureInfo.InvariantCulture)).ToList();
                var vectors = ids.Select(_ => (float[]?)[.. Enumerable.Range(0, dims).Select(_ => (float)random.NextDouble() + 0.01f)]).ToList();
                collection.Upsert(ids, vectors);
                written += n;
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1.0 / TicksPerSecond));
        }
        return written;
    }

    private static void WriteRound(Context context, ShipReport r)
    {
        if (context.Ui.Json)
        {
            // One JSON document per round that did something or had a problem; the summary is the last one.
            if (r.Commits > 0 || !r.Ok || r.Snapshot is not null)
            {
                context.Json(new
                {
                    round = true,
                    ok = r.Ok,
                    commits = r.Commits,
                    segments = r.Segments.Select(s => s.Name),
                    lastShipped = r.LastShipped,
                    pending = r.Pending,
                    snapshot = r.Snapshot,
                    problem = r.Problem,
                    maxLagMs = r.Lags.Count == 0 ? (double?)null : r.Lags.Max().TotalMilliseconds,
                });
            }
            return;
        }
        if (r.Snapshot is not null)
            context.Ui.Line($"base snapshot [bold]{Markup.Escape(r.Snapshot)}[/] taken (the target had none to build on)");
        if (r.Commits > 0)
        {
            context.Ui.Line(string.Create(CultureInfo.InvariantCulture,
                $"{Utc(DateTimeOffset.UtcNow)} shipped {r.Commits} commit(s) in {r.Segments.Count} segment(s), up to commit {r.LastShipped}; lag ≤ {r.Lags.Max().TotalMilliseconds:F0} ms"));
        }
        // A round refused before the log was first opened knows of no commits: it says nothing of them.
        if (!r.Ok)
            context.Ui.Line($"[yellow]problem:[/] {Markup.Escape(r.Problem!)}{(r.Pending > 0 ? $" ({r.Pending.ToString("N0", CultureInfo.InvariantCulture)} commit(s) waiting in the store's log)" : "")}");
    }

    private static void WriteSummary(Context context, long rounds, long commits, long segments, long problems, List<TimeSpan> lags, long lastShipped)
    {
        lags.Sort();
        double? P(double q) => lags.Count == 0 ? null : lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)].TotalMilliseconds;
        if (context.Ui.Json)
        {
            context.Json(new { ok = problems == 0, rounds, commits, segments, problems, lastShipped, lagMs = new { p50 = P(0.50), p99 = P(0.99), max = P(1.0) } });
            return;
        }
        string lag = lags.Count == 0 ? "no commits shipped" : string.Create(CultureInfo.InvariantCulture, $"lag commit → durable segment p50 {P(0.50):F0} ms, p99 {P(0.99):F0} ms, max {P(1.0):F0} ms");
        // -1: no round got as far as the store's log (every one refused, or the target down): no position to give.
        string upTo = lastShipped < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", up to commit {lastShipped}");
        context.Ui.Line(string.Create(CultureInfo.InvariantCulture, $"[green]done[/]: {commits} commit(s) in {segments} segment(s) over {rounds} round(s){upTo}; {lag}"));
    }

    /// <summary>The point-in-time options of <c>restore</c>.</summary>
    private static (Option<string?> At, Option<long?> Seq) PointInTimeOptions() =>
        (new Option<string?>("--at") { Description = "point-in-time: the store as it was at this UTC moment (ISO 8601): the newest full snapshot before it plus the shipped changes up to exactly it; --to must be a new or empty folder" },
         new Option<long?>("--seq") { Description = "point-in-time: the store up to and including this commit sequence number" });

    /// <summary>Runs a point-in-time restore when <c>--at</c> or <c>--seq</c> was given; returns false otherwise.</summary>
    private static bool TryPointInTimeRestore(Context context, ParseResult parsed, Option<string> target, Option<string> to,
        (Option<string?> At, Option<long?> Seq) options, bool otherSelector, bool dryRun)
    {
        string? at = parsed.GetValue(options.At);
        long? seq = parsed.GetValue(options.Seq);
        if (at is null && seq is null)
            return false;
        if (at is not null && seq is not null)
            throw new CliUsageException("give --at or --seq, not both.");
        if (otherSelector)
            throw new CliUsageException("--at and --seq restore to a moment; they do not combine with --id or --before.");
        if (dryRun)
            throw new CliUsageException("--dry-run is not available with --at/--seq: the restore writes a new folder and never touches a live store.");
        var point = at is not null ? PointInTime.Instant(ParseInstant("--at", at)) : PointInTime.Commit(seq < 0 ? throw new CliUsageException($"--seq must be 0 or more (got {seq}).") : seq!.Value);
        using var opened = OpenTarget(parsed.GetValue(target)!, mustExist: true);
        var report = context.Ui.Step("point-in-time restore", progress =>
            PointInTimeRestore.Restore(opened, point, parsed.GetValue(to)!, SegmentStore.For(opened.Inner), new RestoreOptions { Progress = progress }));
        if (context.Ui.Json)
        {
            context.Json(new
            {
                ok = true,
                point = point.ToString(),
                snapshot = report.Snapshot,
                snapshotSequence = report.SnapshotSequence,
                sequence = report.Sequence,
                committedAt = report.CommittedAt,
                commits = report.Commits,
                segments = report.Segments.Select(s => s.Name),
                report.ReachedPoint,
                newestShipped = report.NewestShipped?.LastSequence,
                report.TargetPath,
                steps = report.Steps.Select(s => new { s.Name, s.Detail, seconds = s.Elapsed.TotalSeconds }),
            });
            return true;
        }
        var table = new Table().AddColumn("step").AddColumn("done").AddColumn(new TableColumn("time").RightAligned());
        foreach (var s in report.Steps)
            table.AddRow(s.Name, Markup.Escape(s.Detail), s.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms");
        context.Ui.Write(table);
        string when = report.CommittedAt is { } c ? " of " + Utc(c) : "";
        context.Ui.Line(string.Create(CultureInfo.InvariantCulture, $"[green]restored[/] {Markup.Escape(report.TargetPath)} to commit {report.Sequence}{when}: snapshot {Markup.Escape(report.Snapshot)} + {report.Commits} commit(s)"));
        if (!report.ReachedPoint)
            context.Ui.Line($"[yellow]note:[/] nothing was shipped after {point}: commits made since the last segment ({(report.NewestShipped is { } n ? Utc(n.LastCommit) : "none")}) are not in the target");
        return true;
    }

    internal static TimeSpan ParseDuration(string option, string value)
    {
        var text = value.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0 && double.IsFinite(n))
                return TimeSpan.FromSeconds(n * seconds);
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
            return span;
        throw new CliUsageException($"{option} '{value}' is not a positive duration; use e.g. 500ms, 1s, 2m, 1h.");
    }
}

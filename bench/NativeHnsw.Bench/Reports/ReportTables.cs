using System.Globalization;
using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>The tables of a comparison run, as formatted text shared by the console and Markdown reports.</summary>
public static class ReportTables
{
    public static IReadOnlyList<TableData> For(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [Build(report), Search(report), AtRecall(report), Persistence(report), PersistenceRatios(report), Limits(report.Limits), TargetTable(report.Targets)];
    }

    public static TableData Build(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<IReadOnlyList<string>>();
        var ours = report.Engines.FirstOrDefault(e => e.Engine == Engines.EngineNames.NativeHnsw && e.BuildAllCores is not null)?.BuildAllCores;
        foreach (var e in report.Engines)
        {
            if (!e.Available)
            {
                rows.Add([e.Engine, "unavailable", "", "", "", e.UnavailableReason ?? ""]);
                continue;
            }
            if (e.BuildAllCores is null)
                continue;
            rows.Add([e.Engine,
                e.BuildOneThread is { } one ? F($"{one.Seconds:F2}{(one.RoundSeconds is { } r ? F($" ({r.Min():F2}–{r.Max():F2})") : "")}") : "not run",
                F($"{e.BuildAllCores.Seconds:F2}{(e.BuildAllCores.Threads == 1 && threadsOf(report) > 1 ? " (1 thread)" : "")}"),
                F($"{e.BuildAllCores.VectorsPerSecond:N0}"),
                e.BuildOneThread is { } o && !ReferenceEquals(o, e.BuildAllCores) ? F($"{o.Seconds / e.BuildAllCores.Seconds:F2}×") : "",
                ours is null ? "" : F($"{e.BuildAllCores.Seconds / ours.Seconds:F2}")]);
        }
        int threads = threadsOf(report);
        int rounds = report.Engines.Select(e => e.BuildOneThread?.RoundSeconds?.Count ?? 1).DefaultIfEmpty(1).Max();
        string how = rounds > 1
            ? F($"1-thread builds: median of {rounds} rounds (min–max), engines in turn, order reversed every other round; parallel builds one run each, in reverse order")
            : "one run each, 1-thread builds in engine order, parallel builds in reverse";
        return new TableData(F($"Build ({report.BaseCount:N0} vectors, M={report.M}, ef_construction={report.EfConstruction}; {how})"),
            ["engine", "1 thread (s)", F($"{threads} threads (s)"), F($"vectors/s ({threads} threads)"), "speed-up", F($"time ÷ {Engines.EngineNames.NativeHnsw}")], rows);

        static int threadsOf(RunReport report) =>
            report.Engines.Where(e => e.BuildAllCores is not null).Select(e => e.BuildAllCores!.Threads).DefaultIfEmpty(Environment.ProcessorCount).Max();
    }

    public static TableData Search(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var e in report.Engines.Where(e => e.Available))
        {
            foreach (var p in e.Sweep)
            {
                rows.Add([e.Engine, F($"{p.Ef}"), F($"{p.Recall:F4}"),
                    F($"{p.Qps.Median:N0}"), F($"{p.Qps.Min:N0}–{p.Qps.Max:N0}"),
                    p.QpsRatioToOurs is { } r ? Ratio(r) : "",
                    F($"{p.P50Us:F1}"), F($"{p.P99Us:F1}"), F($"{p.P999Us:F1}"), F($"{p.AllocatedBytesPerQuery:F1}")]);
            }
        }
        return new TableData(
            F($"Search: recall@{report.K} and one-thread QPS, one query at a time ({report.QueryCount:N0} queries × {report.Repeats} rounds per ef, engines alternating pass by pass; median, min–max)"),
            ["engine", "ef", F($"recall@{report.K}"), "QPS", "QPS min–max", F($"QPS ÷ {Engines.EngineNames.NativeHnsw} (per round)"), "p50 µs", "p99 µs", "p99.9 µs", "alloc B/query"], rows);
    }

    /// <summary>
    /// One row per engine at its fastest sweep point with recall@k at or above <see cref="Targets.RecallThreshold"/>,
    /// next to its build, memory and persistence figures: the summary a scale run is read by. An engine that never
    /// reaches the threshold says so with its best recall, rather than showing a QPS at lower recall.
    /// </summary>
    public static TableData AtRecall(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var available = report.Engines.Where(e => e.Available && e.Sweep.Count > 0).ToArray();
        var oursBest = available.FirstOrDefault(e => e.Engine == Engines.EngineNames.NativeHnsw) is { } mine ? Targets.BestQpsAtRecall(mine) : null;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var e in available)
        {
            string build = e.BuildAllCores is { } b ? F($"{b.Seconds:F1} ({b.Threads} thr.)") : "shared";
            var p = e.Persistence;
            string[] persisted =
            [
                p?.MemoryBytesPerVector is { } m ? F($"{m:F0}") : "unknown",
                p?.SearchBytesPerVector is { } w ? F($"{w:F0}") : "unknown",
                p is null ? "" : F($"{p.FileBytes / 1e6:F1}"),
                MedianMs(p?.DurableSaveMs), MedianMs(p?.LoadMs), MedianMs(p?.OpenMs),
            ];
            if (Targets.BestQpsAtRecall(e) is { } best)
            {
                rows.Add([e.Engine, build, F($"{best.Ef}"), F($"{best.Recall:F4}"), F($"{best.Qps:N0}"),
                    oursBest is { } o ? F($"{best.Qps / o.Qps:F2}") : "", .. persisted]);
            }
            else
            {
                var top = e.Sweep.MaxBy(s => s.Recall)!;
                rows.Add([e.Engine, build, "not reached", F($"best {top.Recall:F4} at ef {top.Ef}"), "", "", .. persisted]);
            }
        }
        return new TableData(
            F($"At recall@{report.K} ≥ {Targets.RecallThreshold:F2}: each engine's fastest ef of the sweep ({report.BaseCount:N0} vectors, ef_construction={report.EfConstruction}; save = durable save, ms medians)"),
            ["engine", "build s", "ef", F($"recall@{report.K}"), "QPS", F($"QPS ÷ {Engines.EngineNames.NativeHnsw}'s"), "memory B/vector", "search reads B/vector", "file MB", "save ms", "load ms", "mmap open ms"],
            rows);
    }

    public static TableData Persistence(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var limits = report.Limits;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var e in report.Engines.Where(e => e.Available && e.Persistence is not null))
        {
            var p = e.Persistence!;
            string writeLimit = limits is null ? "" : F($"{p.FileBytes / (limits.WriteFsyncMBps * 1e6) * 1e3:F1}");
            string readLimit = limits is null ? "" : F($"{p.FileBytes / (limits.ReadMBps * 1e6) * 1e3:F1}");
            rows.Add([e.Engine,
                F($"{p.FileBytes / 1e6:F2}"),
                p.SaveMs is null ? "" : p.SavesWithFsync ? "yes" : "no",
                Ms(p.SaveMs), p.SavesWithFsync ? (p.SaveMs is null ? "" : "= save") : Ms(p.SaveFsyncMs), p.SaveMs is null ? "" : writeLimit,
                Ms(p.LoadMs), p.LoadMs is null ? "" : readLimit,
                Ms(p.OpenMs),
                Us(p.FirstQueryAfterLoadUs ?? p.FirstQueryAfterOpenUs),
                p.FirstQueryColdUs is { } c ? F($"{c:F0}") : e.Engine == Engines.EngineNames.NativeHnswMapped ? "no eviction" : "",
                Ms(p.VerifyMs),
                p.MemoryBytesPerVector is { } b ? F($"{b:F0}") : "unknown",
                p.SearchBytesPerVector is { } w ? F($"{w:F0}") : "unknown"]);
        }
        return new TableData(
            F($"Persistence (ms: median of {report.Repeats} rounds after a warm-up, engines alternating, min–max; limits: this disk's sequential write+fsync and read speed applied to the file's size)"),
            ["engine", "file MB", "save fsyncs", "save ms", "save + fsync ms", "write limit ms", "load ms", "read limit ms", "mmap open ms", "1st query µs", "1st query cold µs", "verify ms", "memory B/vector", "search reads B/vector"],
            rows);
    }

    /// <summary>
    /// Every pair of engines with persistence: save (as each ships), save with both durable (the peers' save followed by
    /// an fsync), load and file size, each as A ÷ B; times as the median and min–max of per-round ratios.
    /// </summary>
    public static TableData PersistenceRatios(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var engines = report.Engines.Where(e => e.Available && e.Persistence?.Rounds is { LoadMs.Count: > 0 }).ToArray();
        var rows = new List<IReadOnlyList<string>>();
        for (int i = 0; i < engines.Length; i++)
        {
            for (int j = i + 1; j < engines.Length; j++)
            {
                var a = engines[i].Persistence!;
                var b = engines[j].Persistence!;
                rows.Add([F($"{engines[i].Engine} ÷ {engines[j].Engine}"),
                    RoundRatio(a.Rounds!.SaveMs, b.Rounds!.SaveMs),
                    RoundRatio(a.Rounds.DurableSaveMs, b.Rounds.DurableSaveMs),
                    RoundRatio(a.Rounds.LoadMs, b.Rounds.LoadMs),
                    F($"{(double)a.FileBytes / b.FileBytes:F2}")]);
            }
        }
        return new TableData(
            "Persistence ratios, every pair (A ÷ B; < 1: A is faster or smaller; median of per-round ratios, min–max)",
            ["pair", "save (as shipped)", "save, both fsynced", "load", "file size"], rows);
    }

    /// <summary>Median and min–max of a[i] / b[i] over the rounds both have.</summary>
    internal static string RoundRatio(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        PersistenceRounds.Ratios(a, b) is { } r ? Ratio(r) : "";

    private static string Ratio(Summary r) => r.Runs == 1 ? F($"{r.Median:F2}") : F($"{r.Median:F2} ({r.Min:F2}–{r.Max:F2})");

    public static TableData Limits(MachineLimits? limits) => new(
        "This machine's limits",
        ["sequential write + fsync", "sequential read", "memory copy, 1 thread", "probe size"],
        limits is null
            ? []
            : [[F($"{limits.WriteFsyncMBps:N0} MB/s"), F($"{limits.ReadMBps:N0} MB/s ({(limits.ReadIsCold ? "page cache evicted" : "warm: page cache could not be evicted")})"),
                F($"{limits.MemoryCopyGBps:F1} GB/s"), F($"{limits.ProbeBytes / 1e6:F0} MB")]]);

    public static TableData TargetTable(IReadOnlyList<TargetCheck> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return new TableData("Targets (from this run)", ["target", "status", "figures"],
            targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Status, t.Detail]).ToArray());
    }

    private static string Ms(Summary? s) => s is null ? "" : F($"{s.Median:F2} ({s.Min:F2}–{s.Max:F2})");

    private static string MedianMs(Summary? s) => s is null ? "" : F($"{s.Median:F2}");

    private static string Us(double? us) => us is null ? "" : F($"{us:F0}");

    internal static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

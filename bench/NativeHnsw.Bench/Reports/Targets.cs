using System.Globalization;
using NativeHnsw.Bench.Engines;

namespace NativeHnsw.Bench.Reports;

/// <summary>The issue's targets checked against one run's figures (ratios from the same run, never against numbers from elsewhere).</summary>
public static class Targets
{
    public const double RecallThreshold = 0.95;

    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<EngineResult> engines)
    {
        ArgumentNullException.ThrowIfNull(engines);
        var ours = Find(engines, EngineNames.NativeHnsw) ?? Find(engines, EngineNames.NativeHnswMapped);
        var mapped = Find(engines, EngineNames.NativeHnswMapped);
        var checks = new List<TargetCheck>();
        foreach (string peer in new[] { EngineNames.Hnswlib, EngineNames.Faiss })
            checks.Add(QpsAtRecall(ours, Find(engines, peer)));
        var hnswlib = Find(engines, EngineNames.Hnswlib);
        checks.Add(BuildTime(ours, hnswlib, one: true));
        checks.Add(BuildTime(ours, hnswlib, one: false));
        checks.Add(Compare("load time ≤ FAISS read_index", ours?.Persistence?.LoadMs?.Median, Find(engines, EngineNames.Faiss)?.Persistence?.LoadMs?.Median, "ms", "N3"));
        checks.Add(Compare("file size ≤ hnswlib's", ours?.Persistence?.FileBytes, hnswlib?.Persistence?.FileBytes, "bytes", "N0"));
        var open = mapped?.Persistence?.OpenMs;
        checks.Add(open is null
            ? new TargetCheck("memory-mapped open < 1 ms (flat in size)", "n/a", "NativeHnsw-mmap not run")
            : new TargetCheck("memory-mapped open < 1 ms (flat in size)", open.Median < 1.0 ? "pass" : "miss",
                F($"{open.Median:F3} ms for {mapped!.Persistence!.FileBytes / 1e6:F1} MB; the `persistence` mode shows it across sizes")));
        return checks;
    }

    /// <summary>The highest median QPS among the sweep's points whose recall reaches the threshold; null when none does.</summary>
    public static (double Qps, int Ef, double Recall)? BestQpsAtRecall(EngineResult engine, double threshold = RecallThreshold)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var best = engine.Sweep.Where(p => p.Recall >= threshold).MaxBy(p => p.Qps.Median);
        return best is null ? null : (best.Qps.Median, best.Ef, best.Recall);
    }

    private static TargetCheck QpsAtRecall(EngineResult? ours, EngineResult? peer)
    {
        string target = F($"QPS at recall@10 ≥ {RecallThreshold:F2} ≥ {peer?.Engine ?? "peer"}'s");
        if (ours is null || peer is null || !peer.Available)
            return new TargetCheck(target, "n/a", peer is { Available: false } ? $"{peer.Engine} unavailable" : "engine not run");
        var a = BestQpsAtRecall(ours);
        var b = BestQpsAtRecall(peer);
        if (a is null || b is null)
            return new TargetCheck(target, "n/a", F($"recall {RecallThreshold:F2} not reached by {(a is null ? ours.Engine : peer.Engine)} in the ef sweep; raise --ef"));
        return new TargetCheck(target, a.Value.Qps >= b.Value.Qps ? "pass" : "miss",
            F($"{ours.Engine} {a.Value.Qps:N0} QPS (ef {a.Value.Ef}, recall {a.Value.Recall:F3}) vs {peer.Engine} {b.Value.Qps:N0} (ef {b.Value.Ef}, recall {b.Value.Recall:F3}): {a.Value.Qps / b.Value.Qps:F2}×"));
    }

    private static TargetCheck BuildTime(EngineResult? ours, EngineResult? hnswlib, bool one)
    {
        var a = one ? ours?.BuildOneThread : ours?.BuildAllCores;
        var b = one ? hnswlib?.BuildOneThread : hnswlib?.BuildAllCores;
        string target = one ? "build time ≤ hnswlib's, 1 thread" : F($"build time ≤ hnswlib's, {a?.Threads ?? b?.Threads ?? 0} threads");
        if (a is null || b is null)
            return new TargetCheck(target, "n/a", one ? "one-thread builds not run (--builds parallel) or engine missing" : "engine not run or unavailable");
        return new TargetCheck(target, a.Seconds <= b.Seconds ? "pass" : "miss", F($"{a.Seconds:F2} s vs {b.Seconds:F2} s: {a.Seconds / b.Seconds:F2}×"));
    }

    private static TargetCheck Compare(string target, double? ours, double? peer, string unit, string format)
    {
        if (ours is null || peer is null)
            return new TargetCheck(target, "n/a", "engine not run or unavailable");
        return new TargetCheck(target, ours <= peer ? "pass" : "miss", $"{ours.Value.ToString(format, CultureInfo.InvariantCulture)} {unit} vs {peer.Value.ToString(format, CultureInfo.InvariantCulture)} {unit}: {F($"{ours / peer:F2}")}×");
    }

    private static EngineResult? Find(IReadOnlyList<EngineResult> engines, string name) =>
        engines.FirstOrDefault(e => e.Engine == name && e.Available);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

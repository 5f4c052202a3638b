using System.Globalization;
using NativeHnsw.Bench.Engines;

namespace NativeHnsw.Bench.Reports;

/// <summary>The issue's targets checked against one run's figures (ratios from the same run, never against numbers from elsewhere).</summary>
public static class Targets
{
    public const double RecallThreshold = 0.95;

    /// <summary>Float32 search: QPS at equal recall against hnswlib's.</summary>
    public const double Float32QpsFactor = 1.3;

    /// <summary>Int8 search (re-ranked) against hnswlib's on Fashion-MNIST.</summary>
    public const double Int8QpsFactorFashion = 2.0;

    /// <summary>Int8 search (re-ranked) against hnswlib's elsewhere (the default case, TEXMEX-style files).</summary>
    public const double Int8QpsFactor = 1.8;

    /// <summary>Memory per vector that the Int8 walk reads, against hnswlib's.</summary>
    public const double Int8SearchMemoryFactor = 0.4;

    /// <summary>Build time, one thread and all cores, against hnswlib's.</summary>
    public const double BuildFactor = 0.8;

    /// <summary>The second, stricter recall the QPS targets are also checked at.</summary>
    public const double HighRecallThreshold = 0.99;

    /// <summary>Every target of one run, from its figures alone; <paramref name="dataset"/> picks the Int8 factor (Fashion-MNIST's is higher).</summary>
    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<EngineResult> engines, string? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(engines);
        var ours = Find(engines, EngineNames.NativeHnsw) ?? Find(engines, EngineNames.NativeHnswMapped);
        var int8 = Find(engines, EngineNames.NativeHnswI8);
        var mapped = Find(engines, EngineNames.NativeHnswMapped);
        var hnswlib = Find(engines, EngineNames.Hnswlib);
        double int8Factor = dataset == Data.DatasetLoader.FashionMnist ? Int8QpsFactorFashion : Int8QpsFactor;
        var checks = new List<TargetCheck>();
        foreach (double recall in new[] { RecallThreshold, HighRecallThreshold })
        {
            checks.Add(QpsAtRecall(ours, hnswlib, recall, Float32QpsFactor));
            checks.Add(QpsAtRecall(int8, hnswlib, recall, int8Factor, EngineNames.NativeHnswI8));
        }
        checks.Add(QpsAtRecall(ours, Find(engines, EngineNames.Faiss), RecallThreshold, 1.0));
        checks.Add(BuildTime(ours, hnswlib, one: true));
        checks.Add(BuildTime(ours, hnswlib, one: false));
        checks.Add(LoadTime(ours, Find(engines, EngineNames.Faiss)));
        checks.Add(Compare("file size ≤ hnswlib's", ours?.Persistence?.FileBytes, hnswlib?.Persistence?.FileBytes, "bytes", "N0"));
        checks.Add(Compare(F($"memory a search reads per vector, {EngineNames.NativeHnswI8} ≤ {Int8SearchMemoryFactor:F1}× hnswlib's"),
            int8?.Persistence?.SearchBytesPerVector, hnswlib?.Persistence?.SearchBytesPerVector, "B", "N0", Int8SearchMemoryFactor));
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

    private static TargetCheck QpsAtRecall(EngineResult? ours, EngineResult? peer, double recall, double factor, string oursName = EngineNames.NativeHnsw)
    {
        string times = factor == 1.0 ? "" : F($"{factor:F1}× ");
        string target = F($"{ours?.Engine ?? oursName} QPS at recall@10 ≥ {recall:F2} ≥ {times}{peer?.Engine ?? "peer"}'s");
        if (ours is null || peer is null || !peer.Available)
            return new TargetCheck(target, "n/a", peer is { Available: false } ? $"{peer.Engine} unavailable" : "engine not run");
        var a = BestQpsAtRecall(ours, recall);
        var b = BestQpsAtRecall(peer, recall);
        if (a is null || b is null)
            return new TargetCheck(target, "n/a", F($"recall {recall:F2} not reached by {(a is null ? ours.Engine : peer.Engine)} in the ef sweep; raise --ef"));
        double medians = a.Value.Qps / b.Value.Qps;
        string figures = F($"{ours.Engine} {a.Value.Qps:N0} QPS (ef {a.Value.Ef}, recall {a.Value.Recall:F3}) vs {peer.Engine} {b.Value.Qps:N0} (ef {b.Value.Ef}, recall {b.Value.Recall:F3}): {medians:F2}×");
        if (PerRoundRatio(ours, peer, a.Value.Ef, b.Value.Ef) is { } perRound)
            return new TargetCheck(target, perRound >= factor ? "pass" : "miss", figures + F($" by median QPS, {perRound:F2}× per round"));
        return new TargetCheck(target, medians >= factor ? "pass" : "miss", figures);
    }

    /// <summary>
    /// <paramref name="ours"/>' QPS over <paramref name="peer"/>'s from the per-round ratios to NativeHnsw (each round's
    /// passes ran side by side, so the machine's drift between rounds cancels), when both points are at one ef; null
    /// when they are not, or a ratio is missing. Median QPS divides figures from different rounds and drifts with them.
    /// </summary>
    private static double? PerRoundRatio(EngineResult ours, EngineResult peer, int oursEf, int peerEf)
    {
        if (oursEf != peerEf)
            return null;
        double? ToNative(EngineResult e) => e.Engine == EngineNames.NativeHnsw
            ? 1.0
            : e.Sweep.FirstOrDefault(p => p.Ef == oursEf)?.QpsRatioToOurs?.Median;
        return ToNative(ours) is { } a && ToNative(peer) is { } b && b > 0 ? a / b : null;
    }

    private static TargetCheck BuildTime(EngineResult? ours, EngineResult? hnswlib, bool one)
    {
        var a = one ? ours?.BuildOneThread : ours?.BuildAllCores;
        var b = one ? hnswlib?.BuildOneThread : hnswlib?.BuildAllCores;
        string target = one
            ? F($"build time ≤ {BuildFactor:F1}× hnswlib's, 1 thread")
            : F($"build time ≤ {BuildFactor:F1}× hnswlib's, {a?.Threads ?? b?.Threads ?? 0} threads");
        if (a is null || b is null)
            return new TargetCheck(target, "n/a", one ? "one-thread builds not run (--builds parallel) or engine missing" : "engine not run or unavailable");
        double ratio = a.RatioTo(b);
        string rounds = a.RoundSeconds is { Count: > 1 } r && b.RoundSeconds?.Count == r.Count ? F($" (median of {r.Count} interleaved rounds' ratios)") : "";
        return new TargetCheck(target, ratio <= BuildFactor ? "pass" : "miss", F($"{a.Seconds:F2} s vs {b.Seconds:F2} s: {ratio:F2}×{rounds}"));
    }

    /// <summary>
    /// Our load with <see cref="LoadCheck.Checksums"/> (every checksum; graph and rows checked before the first change)
    /// against FAISS's read_index, which checks nothing, by the median of per-round ratios (each round loads both back
    /// to back); the full check's ratio is shown beside it. Medians of the two series decide when rounds are missing.
    /// </summary>
    private static TargetCheck LoadTime(EngineResult? ours, EngineResult? faiss)
    {
        const string Target = "load time (LoadCheck.Checksums) ≤ FAISS read_index";
        var a = ours?.Persistence;
        var b = faiss?.Persistence;
        if (a?.LoadMs is null || b?.LoadMs is null)
            return new TargetCheck(Target, "n/a", "engine not run or unavailable");
        var light = a.ChecksumLoadMs ?? a.LoadMs;
        var lightRatio = PersistenceRounds.Ratios(a.Rounds?.ChecksumLoadMs ?? a.Rounds?.LoadMs, b.Rounds?.LoadMs);
        var fullRatio = PersistenceRounds.Ratios(a.Rounds?.LoadMs, b.Rounds?.LoadMs);
        double ratio = lightRatio?.Median ?? light.Median / b.LoadMs.Median;
        string how = lightRatio is null ? "by medians" : F($"median of {lightRatio.Runs} per-round ratios");
        string full = fullRatio is null ? "" : F($"; full check {a.LoadMs.Median:F3} ms, {fullRatio.Median:F2}× per round");
        return new TargetCheck(Target, ratio <= 1.0 ? "pass" : "miss",
            F($"{light.Median:F3} ms vs {b.LoadMs.Median:F3} ms: {ratio:F2}× ({how}){full}"));
    }

    private static TargetCheck Compare(string target, double? ours, double? peer, string unit, string format, double factor = 1.0)
    {
        if (ours is null || peer is null)
            return new TargetCheck(target, "n/a", "engine not run or unavailable");
        return new TargetCheck(target, ours <= factor * peer ? "pass" : "miss", $"{ours.Value.ToString(format, CultureInfo.InvariantCulture)} {unit} vs {peer.Value.ToString(format, CultureInfo.InvariantCulture)} {unit}: {F($"{ours / peer:F2}")}×");
    }

    private static EngineResult? Find(IReadOnlyList<EngineResult> engines, string name) =>
        engines.FirstOrDefault(e => e.Engine == name && e.Available);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

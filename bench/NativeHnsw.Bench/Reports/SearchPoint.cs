using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>One ef of the sweep: recall@k, single-thread one-query-at-a-time throughput and latency, allocations.</summary>
/// <param name="Qps">Queries per second of each timed pass over all queries.</param>
/// <param name="P50Us">Latency percentiles over every query of every timed pass, in microseconds.</param>
/// <param name="AllocatedBytesPerQuery">Managed bytes allocated on the searching thread per query (native engines: the wrapper's only).</param>
/// <param name="QpsRatioToOurs">
/// This engine's QPS divided by NativeHnsw's in the same round (the passes of one ef alternate engine by engine), as the
/// median and min–max over the rounds; null for NativeHnsw itself or when it did not run.
/// </param>
public sealed record SearchPoint(
    int Ef, double Recall, Summary Qps, double P50Us, double P99Us, double P999Us, double AllocatedBytesPerQuery, Summary? QpsRatioToOurs = null);

using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;

namespace NativeHnsw.Bench.Tests;

/// <summary>Sweep points for report tests: one QPS figure, fixed latencies.</summary>
internal static class SweepPoints
{
    public static SearchPoint Point(int ef, double recall, double qps) =>
        new(ef, recall, new Summary(qps, qps, qps, 1), 1, 2, 3, 0);
}

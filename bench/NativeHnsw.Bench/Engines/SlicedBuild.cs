using System.Diagnostics;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// A timed build fed to the engine in slices, so that a long build reports vectors inserted as it goes. Every engine
/// is fed the same slices, so the few extra calls cost each alike.
/// </summary>
public static class SlicedBuild
{
    public const int Slices = 20;

    /// <summary>Adds every row of <paramref name="data"/> (labels = row numbers given) and returns the wall time in seconds.</summary>
    public static double Run(IVectorEngine engine, long[] labels, float[] data, int dimensions, int threads, Action<long> report)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(report);
        int n = labels.Length;
        int slice = Math.Max(1, (n + Slices - 1) / Slices);
        long start = Stopwatch.GetTimestamp();
        for (int from = 0; from < n; from += slice)
        {
            int count = Math.Min(slice, n - from);
            engine.AddBatch(labels.AsMemory(from, count), data.AsMemory(from * dimensions, count * dimensions), threads);
            report(from + count);
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

using System.Diagnostics;

namespace NativeHnsw.Bench.Measurements;

/// <summary>This machine's measured ceilings, printed next to save, load and open so the reader sees how close we are.</summary>
/// <param name="WriteFsyncMBps">Sequential write of a file of the index's size, then fsync, in MB/s (10⁶ bytes).</param>
/// <param name="ReadMBps">Sequential read of that file back.</param>
/// <param name="ReadIsCold">Whether the page cache was evicted before the read (else it is a page-cache read, and says so).</param>
/// <param name="MemoryCopyGBps">One-thread memory copy of a 256 MB buffer, in GB/s.</param>
/// <param name="ProbeBytes">Size of the probe file.</param>
public sealed record MachineLimits(double WriteFsyncMBps, double ReadMBps, bool ReadIsCold, double MemoryCopyGBps, long ProbeBytes)
{
    /// <summary>Times writing and reading a probe file of <paramref name="bytes"/> (at least 64 MiB) in <paramref name="directory"/>; medians of 3.</summary>
    public static MachineLimits Measure(string directory, long bytes)
    {
        bytes = Math.Max(bytes, 64L << 20);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"limits-probe-{Environment.ProcessId}.bin");
        var buffer = new byte[1 << 20];
        new Random(7).NextBytes(buffer);
        try
        {
            var writes = new List<double>();
            var reads = new List<double>();
            bool cold = true;
            for (int run = 0; run < 3; run++)
            {
                long start = Stopwatch.GetTimestamp();
                using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    for (long written = 0; written < bytes; written += buffer.Length)
                        stream.Write(buffer, 0, (int)Math.Min(buffer.Length, bytes - written));
                    stream.Flush(flushToDisk: true);
                }
                writes.Add(bytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e6);

                cold &= PageCache.TryEvict(path);
                start = Stopwatch.GetTimestamp();
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                {
                    while (stream.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }
                reads.Add(bytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e6);
            }
            return new MachineLimits(Summary.Of(writes).Median, Summary.Of(reads).Median, cold, MemoryCopy(), bytes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>One-thread copy of a 256 MB buffer, in GB/s (median of 5).</summary>
    public static double MemoryCopy()
    {
        const int Size = 256 << 20;
        var source = GC.AllocateUninitializedArray<byte>(Size);
        var destination = GC.AllocateUninitializedArray<byte>(Size);
        source.AsSpan().Fill(1);
        destination.AsSpan().Fill(2);
        var times = new double[5];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(destination);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return Size / Summary.Of(times).Median / 1e9;
    }
}

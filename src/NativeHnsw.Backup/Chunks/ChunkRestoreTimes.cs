using System.Diagnostics;

namespace NativeHnsw.Backup;

/// <summary>
/// Where a chunked fetch spends its time, added up over the files of a restore (so a restore's report says what its
/// chunks cost, measured rather than guessed). Reads and decodes run on worker threads and are summed over them.
/// </summary>
internal sealed class ChunkRestoreTimes
{
    private long _plan, _read, _decode, _wait, _write;

    public void AddPlan(long ticks) => Interlocked.Add(ref _plan, ticks);

    public void AddRead(long ticks) => Interlocked.Add(ref _read, ticks);

    public void AddDecode(long ticks) => Interlocked.Add(ref _decode, ticks);

    public void AddWait(long ticks) => Interlocked.Add(ref _wait, ticks);

    public void AddWrite(long ticks) => Interlocked.Add(ref _write, ticks);

    /// <summary>The parts as restore steps; null when no chunk was fetched.</summary>
    public IReadOnlyList<RestoreStep>? Parts() => _plan + _read + _decode + _wait + _write == 0 ? null :
    [
        new("plan", "chunks located in packs, windows planned", Elapsed(_plan)),
        new("read", "chunk and pack objects read (worker threads, summed)", Elapsed(_read)),
        new("decode", "frames checked, decompressed and each chunk's SHA-256 compared with its key (worker threads, summed)", Elapsed(_decode)),
        new("wait", "the writer waiting for the next window", Elapsed(_wait)),
        new("write", "the whole file's SHA-256 and the write of the restored copy", Elapsed(_write)),
    ];

    private static TimeSpan Elapsed(long ticks) => Stopwatch.GetElapsedTime(0, ticks);
}

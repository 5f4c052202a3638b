using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Graph;

/// <summary>
/// Prefetch of the rows a graph walk is about to measure: while the walk gathers a node's unvisited
/// neighbors it asks for their rows, so the distance kernels that follow find them on the way in
/// rather than waiting a memory round trip per row.
/// </summary>
internal static unsafe class RowPrefetch
{
    private const int Line = 64;

    // A row is asked for line by line up to this many bytes; the hardware's stream prefetcher follows on from there.
    private const int MaxBytes = 4 * Line;

    /// <summary>Hints the cache lines of <paramref name="bytes"/> bytes at <paramref name="row"/> (at most <see cref="MaxBytes"/> of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fetch(byte* row, int bytes)
    {
        if (!Sse.IsSupported)
            return;
        int end = Math.Min(bytes, MaxBytes);
        for (int at = 0; at < end; at += Line)
            Sse.Prefetch0(row + at);
    }
}

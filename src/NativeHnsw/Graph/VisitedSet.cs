using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeHnsw.Graph;

/// <summary>
/// Marks nodes seen by one search. A mark is the search's epoch, so starting a search is one
/// increment rather than clearing the array; the array is cleared only when the 16-bit epoch wraps.
/// </summary>
internal sealed class VisitedSet
{
    private ushort[] _marks = [];
    private ushort _epoch;

    /// <summary>Starts a search over node ids below <paramref name="nodeCount"/>.</summary>
    public void Begin(int nodeCount)
    {
        if (_marks.Length < nodeCount)
        {
            // Grow with headroom so an index that keeps growing does not reallocate on every search.
            _marks = new ushort[Math.Max(nodeCount, (int)Math.Min(Array.MaxLength, nodeCount + (long)nodeCount / 2))];
            _epoch = 0;
        }
        if (++_epoch == 0)
        {
            Array.Clear(_marks);
            _epoch = 1;
        }
    }

    /// <summary>Marks <paramref name="node"/>; false when it was already marked. The caller has bounds-checked the node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryMark(int node)
    {
        ref ushort mark = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_marks), node);
        if (mark == _epoch)
            return false;
        mark = _epoch;
        return true;
    }

    /// <summary>
    /// The marks and the epoch of the search begun last, for a walk's gather to mark neighbors through locals: read
    /// through the set, each mark reloaded the set, its array and its epoch from the stack (the walk's registers are
    /// taken), three loads per neighbor where a ref and an epoch held in locals cost one. Valid until the next
    /// <see cref="Begin"/>; the caller bounds-checks every node below the count it began with.
    /// </summary>
    public Marker Current => new(ref MemoryMarshal.GetArrayDataReference(_marks), _epoch);

    /// <summary>A begun search's marks (<see cref="Current"/>).</summary>
    internal readonly ref struct Marker
    {
        private readonly ref ushort _first;
        private readonly ushort _epoch;

        public Marker(ref ushort first, ushort epoch)
        {
            _first = ref first;
            _epoch = epoch;
        }

        /// <summary>
        /// Marks <paramref name="node"/> and returns 1 when it was unmarked, 0 when it was already marked, without a branch:
        /// a walk's gather adds the result to its count, because whether a neighbor was seen is a coin toss the branch
        /// predictor loses (perf put 4 % of a search on that branch's out-of-line block).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int MarkNew(int node)
        {
            ref ushort mark = ref Unsafe.Add(ref _first, node);
            int fresh = mark != _epoch ? 1 : 0;
            mark = _epoch;
            return fresh;
        }
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeHnsw.Graph;

/// <summary>
/// A binary max-heap of neighbors by distance over a reusable array. Min-heap use pushes
/// negated distances (as hnswlib does), which keeps one implementation for both queues.
/// </summary>
/// <remarks>
/// The sifts index the array without bounds checks: every index they touch is at most <see cref="Count"/>, and the array
/// always has a slot past the last entry (<see cref="Push"/> grows the array first). A walk sifts on every accepted
/// neighbor, so the checks were two compares and branches per heap level on the search's hottest path. That spare slot
/// holds a −∞ sentinel while a sift runs, so choosing the larger child needs no "is there a right child" test, and the
/// choice itself is a select rather than a branch: which child is larger is a coin toss the predictor loses.
/// </remarks>
internal sealed class NeighborHeap
{
    private Neighbor[] _items = new Neighbor[64];

    public int Count { get; private set; }

    public Neighbor Top => _items[0];

    public void Clear() => Count = 0;

    /// <summary>
    /// Empties the heap and hands back its entries in heap order (not sorted): a walk's results are then
    /// selected from directly, where popping them one by one would cost a sift per entry.
    /// </summary>
    public Span<Neighbor> TakeAll()
    {
        var items = _items.AsSpan(0, Count);
        Count = 0;
        return items;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float distance, int node)
    {
        if (Count + 1 == _items.Length)
            Array.Resize(ref _items, _items.Length * 2);
        ref Neighbor first = ref MemoryMarshal.GetArrayDataReference(_items);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            ref Neighbor above = ref Unsafe.Add(ref first, parent);
            if (!(above.Distance < distance))
                break;
            Unsafe.Add(ref first, i) = above;
            i = parent;
        }
        Unsafe.Add(ref first, i) = new Neighbor(distance, node);
    }

    public Neighbor Pop()
    {
        var items = _items;
        var top = items[0];
        int count = --Count;
        if (count > 0)
            SiftDown(items, items[count], count);
        return top;
    }

    /// <summary>Replaces the top with a new entry: one sift where a push and a pop would take two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReplaceTop(float distance, int node) => SiftDown(_items, new Neighbor(distance, node), Count);

    /// <summary>Reserves room so that pushes up to <paramref name="capacity"/> never allocate.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (_items.Length <= capacity)
            Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, Math.Max(capacity + 1L, 2L * _items.Length)));
    }

    /// <summary>True when the next <see cref="Push"/> would have to grow the array.</summary>
    public bool IsFull => Count + 1 == _items.Length;

    /// <summary>
    /// Drops every entry whose distance is below <paramref name="floor"/> and restores the heap order: O(Count).
    /// When that frees less than half the array, the array doubles too, so repeated calls cost O(1) a push.
    /// A walk's candidate queue (distances negated) sheds candidates it can no longer expand this way instead of growing.
    /// </summary>
    public void DropBelow(float floor)
    {
        var items = _items;
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            if (!(items[i].Distance < floor))
                items[kept++] = items[i];
        }
        Count = kept;
        for (int i = (kept >> 1) - 1; i >= 0; i--)
            SiftDown(items, items[i], kept, i);
        if (kept > items.Length / 2)
            EnsureCapacity(2 * items.Length - 1);
    }

    /// <summary>Places <paramref name="moving"/> at <paramref name="start"/> and sifts it down among the first <paramref name="count"/> items.</summary>
    private static void SiftDown(Neighbor[] items, Neighbor moving, int count, int start = 0)
    {
        Debug.Assert((uint)count < (uint)items.Length && (uint)start < (uint)Math.Max(count, 1));
        ref Neighbor first = ref MemoryMarshal.GetArrayDataReference(items);
        // The slot past the last entry is free: a −∞ there is never the larger child, so a left child alone is chosen.
        Unsafe.Add(ref first, count) = new Neighbor(float.NegativeInfinity, -1);
        int i = start;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
                break;
            ref Neighbor left = ref Unsafe.Add(ref first, child);
            child += Unsafe.Add(ref left, 1).Distance > left.Distance ? 1 : 0;
            ref Neighbor larger = ref Unsafe.Add(ref first, child);
            if (!(larger.Distance > moving.Distance))
                break;
            Unsafe.Add(ref first, i) = larger;
            i = child;
        }
        Unsafe.Add(ref first, i) = moving;
    }
}

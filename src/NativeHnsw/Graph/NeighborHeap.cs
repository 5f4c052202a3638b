using System.Runtime.CompilerServices;

namespace NativeHnsw.Graph;

/// <summary>
/// A binary max-heap of neighbors by distance over a reusable array. Min-heap use pushes
/// negated distances (as hnswlib does), which keeps one implementation for both queues.
/// </summary>
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
        if (Count == _items.Length)
            Array.Resize(ref _items, _items.Length * 2);
        var items = _items;
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!(items[parent].Distance < distance))
                break;
            items[i] = items[parent];
            i = parent;
        }
        items[i] = new Neighbor(distance, node);
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
        if (_items.Length < capacity)
            Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, Math.Max(capacity, 2L * _items.Length)));
    }

    /// <summary>True when the next <see cref="Push"/> would have to grow the array.</summary>
    public bool IsFull => Count == _items.Length;

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
            EnsureCapacity(2 * items.Length);
    }

    /// <summary>Places <paramref name="moving"/> at <paramref name="start"/> and sifts it down among the first <paramref name="count"/> items.</summary>
    private static void SiftDown(Neighbor[] items, Neighbor moving, int count, int start = 0)
    {
        int i = start;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
                break;
            if (child + 1 < count && items[child + 1].Distance > items[child].Distance)
                child++;
            if (!(items[child].Distance > moving.Distance))
                break;
            items[i] = items[child];
            i = child;
        }
        items[i] = moving;
    }
}

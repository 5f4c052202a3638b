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

    private static void SiftDown(Neighbor[] items, Neighbor moving, int count)
    {
        int i = 0;
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

using Microsoft.Extensions.ObjectPool;

namespace NativeHnsw.Graph;

/// <summary>
/// Everything one search or insertion needs besides the graph, pooled per index so the steady
/// state allocates nothing: the visited marks, both queues, the query copy and selection scratch.
/// </summary>
internal sealed class SearchContext
{
    private readonly int _m;
    private readonly Neighbor[] _selected;
    private readonly int[] _selectedCounts;

    public SearchContext(int dimensions, int m)
    {
        _m = m;
        Query = new float[dimensions];
        QueryBytes = new sbyte[Distance.Int8Kernels.PreparedQueryLength(dimensions)];
        RowScratch = new float[4 * dimensions];
        Scratch = new Neighbor[2 * m + 1];
        Batch = new int[2 * m + 1];
        BatchDistances = new float[(2 * m + 1 + 7) & ~7];
        _selected = new Neighbor[(HnswIndex.MaxLevel + 1) * m];
        _selectedCounts = new int[HnswIndex.MaxLevel + 1];
    }

    public VisitedSet Visited { get; } = new();

    /// <summary>Candidates to expand, nearest first (distances negated).</summary>
    public NeighborHeap Candidates { get; } = new();

    /// <summary>The ef best found so far, farthest on top.</summary>
    public NeighborHeap Results { get; } = new();

    /// <summary>The query as searched (normalised under cosine).</summary>
    public float[] Query { get; }

    /// <summary>The query quantized for a compact walk, in the kernels' prepared form (<see cref="Distance.Int8Quantizer.PrepareQuery"/>).</summary>
    public sbyte[] QueryBytes { get; }

    /// <summary>Four rows widened from float16 for a compact walk.</summary>
    public float[] RowScratch { get; }

    /// <summary>Room for the neighbors chosen at one level of an insertion (M of them at most).</summary>
    public Span<Neighbor> SelectedAt(int level) => _selected.AsSpan(level * _m, _m);

    public int SelectedCount(int level) => _selectedCounts[level];

    public void SetSelectedCount(int level, int count) => _selectedCounts[level] = count;

    /// <summary>
    /// A level-0 slot's worth of node ids for a walk's unvisited neighbors: an array here rather than a stackalloc in the
    /// walk, because a method with a stackalloc skips tiering (no OSR, so no dynamic PGO).
    /// </summary>
    public int[] Batch { get; }

    /// <summary>The distances to <see cref="Batch"/>'s nodes, its length rounded up to eight so a walk reads them eight to a vector.</summary>
    public float[] BatchDistances { get; }

    /// <summary>A slot's links plus one newcomer, while it is being pruned.</summary>
    public Neighbor[] Scratch { get; }

    /// <summary>Results drained from the heap in ascending order.</summary>
    public Neighbor[] Sorted { get; private set; } = new Neighbor[64];

    public Span<Neighbor> DrainResultsAscending()
    {
        int count = Results.Count;
        if (Sorted.Length < count)
            Sorted = new Neighbor[Math.Max(count, Sorted.Length * 2)];
        var sorted = Sorted;
        for (int i = count - 1; i >= 0; i--)
            sorted[i] = Results.Pop();
        return sorted.AsSpan(0, count);
    }

    internal sealed class Policy(int dimensions, int m) : IPooledObjectPolicy<SearchContext>
    {
        public SearchContext Create() => new(dimensions, m);

        public bool Return(SearchContext context) => true;
    }
}

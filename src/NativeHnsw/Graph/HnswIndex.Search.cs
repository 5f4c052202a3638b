using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>
    /// The <paramref name="k"/> nearest labels to <paramref name="query"/>, nearest first.
    /// </summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="k">How many results at most.</param>
    /// <param name="ef">Beam width; 0 uses <see cref="HnswOptions.DefaultEf"/>. Raised to k when smaller.</param>
    /// <param name="filter">When given, only labels it accepts are returned (the graph is still walked through the others).</param>
    public SearchResult[] Search(ReadOnlySpan<float> query, int k, int ef = 0, Func<long, bool>? filter = null)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var buffer = new SearchResult[Math.Min(k, Math.Max(1, NodeCount))];
        int found = Search(query, buffer, ef, filter);
        return found == buffer.Length ? buffer : buffer[..found];
    }

    /// <summary>
    /// Writes up to <c>destination.Length</c> nearest labels into <paramref name="destination"/>, nearest first,
    /// and returns how many. Allocates nothing once warm.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0, Func<long, bool>? filter = null)
    {
        if (destination.IsEmpty)
            throw new ArgumentException("k must be at least 1: the destination span is empty.", nameof(destination));
        if (ef < 0)
            throw new ArgumentOutOfRangeException(nameof(ef), ef, "ef must be positive, or 0 for the index's default.");
        if (ef > 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(ef), ef, "ef must be at most 1048576.");
        ThrowIfDisposed();
        ValidateVector(query, nameof(query), "Query");
        int beam = Math.Max(ef == 0 ? _options.DefaultEf : ef, destination.Length);

        var storage = AcquirePublished(out long entry, out int count, out long upperUsed);
        var context = _contexts.Get();
        try
        {
            if (entry < 0)
                return 0;
            var graph = storage.View(count, upperUsed);
            PrepareVector(query, context.Query);
            return Metric == DistanceMetric.L2
                ? SearchCore<SquaredL2Distance>(graph, entry, destination, beam, filter, context)
                : SearchCore<DotDistance>(graph, entry, destination, beam, filter, context);
        }
        finally
        {
            _contexts.Return(context);
            storage.Release();
        }
    }

    private unsafe int SearchCore<TDistance>(in GraphView graph, long entry, Span<SearchResult> destination, int ef, Func<long, bool>? filter, SearchContext context)
        where TDistance : struct, IDistance
    {
        int node = EntryNode(entry);
        if (!graph.IsNode(node))
            return 0;
        bool exclude = filter is not null || Volatile.Read(ref _hiddenCount) > 0;
        fixed (float* query = context.Query)
        {
            float distance = TDistance.Compute(ref *query, ref *graph.Vector(node), Dimensions);
            node = GraphSearch.Descend<TDistance>(graph, query, node, ref distance, EntryLevel(entry), 0);
            GraphSearch.SearchLevel<TDistance>(graph, query, node, distance, ef, 0, context, exclude, filter);
        }
        var results = context.Results;
        while (results.Count > destination.Length)
            results.Pop();
        int count = results.Count;
        for (int i = count - 1; i >= 0; i--)
        {
            var hit = results.Pop();
            destination[i] = new SearchResult(graph.Label(hit.Node), hit.Distance);
        }
        return count;
    }
}

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
            bool exclude = filter is not null || Volatile.Read(ref _hiddenCount) > 0;
            // Read after the lease: every node the published count names has its compact row once this is set.
            if (_options.Quantization == VectorQuantization.Float16 && graph.HasCodes)
            {
                return Metric == DistanceMetric.L2
                    ? GraphSearch.NearestFloat16<SquaredL2Distance>(graph, _options.Rerank, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context)
                    : GraphSearch.NearestFloat16<DotDistance>(graph, _options.Rerank, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context);
            }
            var quantizer = Volatile.Read(ref _quantizer);
            if (quantizer is not null && graph.HasCodes)
            {
                var terms = quantizer.PrepareQuery(context.Query, context.QueryBytes, context.RowScratch);
                return Metric == DistanceMetric.L2
                    ? GraphSearch.NearestInt8<Int8L2Metric, SquaredL2Distance>(graph, terms, _options.Rerank, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context)
                    : GraphSearch.NearestInt8<Int8DotMetric, DotDistance>(graph, terms, _options.Rerank, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context);
            }
            return Metric == DistanceMetric.L2
                ? GraphSearch.Nearest<SquaredL2Distance>(graph, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context)
                : GraphSearch.Nearest<DotDistance>(graph, EntryNode(entry), EntryLevel(entry), destination, beam, exclude, filter, context);
        }
        finally
        {
            _contexts.Return(context);
            storage.Release();
        }
    }
}

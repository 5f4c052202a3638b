namespace NativeHnsw.Interop;

/// <summary>
/// The per-thread buffers a native engine's search hands to its library: the query as searched (unit length under
/// cosine) and the k distances and labels the library writes. Reused across searches, so the wrappers allocate
/// nothing once warm; per thread, because a search is synchronous and never re-enters on the same thread.
/// </summary>
internal sealed class SearchScratch
{
    [ThreadStatic]
    private static SearchScratch? s_current;

    private float[] _query = [];
    private float[] _distances = [];
    private long[] _labels = [];

    /// <summary>This thread's buffers, with room for a query of <paramref name="dimensions"/> and <paramref name="k"/> hits.</summary>
    public static SearchScratch For(int dimensions, int k)
    {
        var scratch = s_current ??= new SearchScratch();
        if (scratch._query.Length < dimensions)
            scratch._query = new float[dimensions];
        if (scratch._distances.Length < k)
        {
            scratch._distances = new float[k];
            scratch._labels = new long[k];
        }
        return scratch;
    }

    /// <summary>The query to hand to the library: a unit-length copy under cosine (the libraries run inner product), else the query itself.</summary>
    public ReadOnlySpan<float> Query(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        if (metric != DistanceMetric.Cosine)
            return query;
        var unit = _query.AsSpan(0, query.Length);
        EngineInput.NormalizeRow(query, unit, nameof(query));
        return unit;
    }

    public Span<float> Distances(int k) => _distances.AsSpan(0, k);

    public Span<long> Labels(int k) => _labels.AsSpan(0, k);
}

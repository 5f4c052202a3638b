namespace NativeHnsw.Interop;

public static class VectorEngineExtensions
{
    /// <summary>The <paramref name="k"/> nearest hits, closest first (fewer when the index holds fewer).</summary>
    public static SearchResult[] Search(this IVectorEngine engine, ReadOnlySpan<float> query, int k, int ef = 0)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var results = new SearchResult[k];
        int found = engine.Search(query, results, ef);
        return found == k ? results : results[..found];
    }
}

namespace NativeHnsw.Testing;

/// <summary>Recall@k: the share of the true k nearest that a search returned.</summary>
public static class Recall
{
    public static double AtK(IReadOnlyList<IReadOnlyList<long>> found, int[][] truth, int k)
    {
        long hits = 0, total = 0;
        for (int q = 0; q < truth.Length; q++)
        {
            var expected = new HashSet<long>();
            foreach (int row in truth[q].Take(k))
                expected.Add(row);
            hits += found[q].Take(k).Count(expected.Contains);
            total += expected.Count;
        }
        return total == 0 ? 1.0 : (double)hits / total;
    }

    /// <summary>Searches every query row and measures recall@k against <paramref name="truth"/>.</summary>
    public static double Measure(HnswIndex index, float[] queries, int[][] truth, int k, int ef, Func<long, bool>? filter = null)
    {
        int dims = index.Dimensions;
        var found = new IReadOnlyList<long>[truth.Length];
        for (int q = 0; q < truth.Length; q++)
            found[q] = index.Search(queries.AsSpan(q * dims, dims), k, ef, filter).Select(r => r.Label).ToArray();
        return AtK(found, truth, k);
    }
}

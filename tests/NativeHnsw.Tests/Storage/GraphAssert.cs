namespace NativeHnsw.Tests.Storage;

/// <summary>Node-by-node comparison of two indexes, and bit-for-bit comparison of their answers.</summary>
internal static class GraphAssert
{
    // compareOptions: false for an index from another format, whose file does not hold every option (the seed, the initial capacity).
    public static void SameGraph(HnswIndex expected, HnswIndex actual, bool compareOptions = true)
    {
        if (compareOptions)
            Assert.Equal(expected.Options, actual.Options);
        Assert.Equal((expected.Dimensions, expected.Metric, expected.Options.M), (actual.Dimensions, actual.Metric, actual.Options.M));
        Assert.Equal(expected.NodeCount, actual.NodeCount);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.EntryPoint, actual.EntryPoint);
        for (int node = 0; node < expected.NodeCount; node++)
        {
            var e = expected.DescribeNode(node);
            var a = actual.DescribeNode(node);
            Assert.True(e.Label == a.Label && e.State == a.State && e.Links.Length == a.Links.Length,
                $"node {node}: label {e.Label}/{a.Label}, state {e.State}/{a.State}, levels {e.Links.Length}/{a.Links.Length}");
            for (int level = 0; level < e.Links.Length; level++)
                Assert.True(e.Links[level].AsSpan().SequenceEqual(a.Links[level]), $"node {node} level {level} links differ");
        }
    }

    /// <summary>Identical labels and identical distances (compared as bits) for every query, k and ef.</summary>
    public static void SameAnswers(HnswIndex expected, HnswIndex actual, float[] queries, int[] ks, int[] efs, Func<long, bool>? filter = null)
    {
        int dims = expected.Dimensions;
        for (int q = 0; q < queries.Length / dims; q++)
        {
            var query = queries.AsSpan(q * dims, dims);
            foreach (int k in ks)
            {
                foreach (int ef in efs)
                {
                    var e = expected.Search(query, k, ef, filter);
                    var a = actual.Search(query, k, ef, filter);
                    Assert.Equal(e.Length, a.Length);
                    for (int i = 0; i < e.Length; i++)
                    {
                        Assert.True(e[i].Label == a[i].Label && BitConverter.SingleToInt32Bits(e[i].Distance) == BitConverter.SingleToInt32Bits(a[i].Distance),
                            $"query {q} k={k} ef={ef} rank {i}: ({e[i].Label}, {e[i].Distance:R}) vs ({a[i].Label}, {a[i].Distance:R})");
                    }
                }
            }
        }
    }
}

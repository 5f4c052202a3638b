using NativeHnsw.Distance;

namespace NativeHnsw.Data;

/// <summary>
/// Exact k nearest neighbours by brute force in float32 with the index's SIMD kernels, on every core. Queries are taken
/// in blocks so that each base row, once loaded, is compared with the whole block while it is in L1: the base set is
/// streamed from memory once per block, not once per query (Fashion-MNIST: 188 MB × 10,000 queries otherwise).
/// </summary>
public static class ExactKnn
{
    private const int QueryBlock = 16;

    /// <summary>
    /// For each query, the base row numbers of its <paramref name="k"/> nearest, nearest first (ties: lower row first);
    /// rows for which <paramref name="include"/> is false are left out (fewer than k when fewer remain).
    /// </summary>
    public static int[][] Search(
        VectorSet baseSet, VectorSet queries, int k, DistanceMetric metric, int maxDegreeOfParallelism = -1, Action<int>? queriesDone = null,
        Func<int, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(baseSet);
        ArgumentNullException.ThrowIfNull(queries);
        if (baseSet.Dimensions != queries.Dimensions)
            throw new ArgumentException($"base has {baseSet.Dimensions} dimensions, queries {queries.Dimensions}.", nameof(queries));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        k = Math.Min(k, baseSet.Count);

        // Cosine: compare unit vectors by dot product, as the index does.
        var b = metric == DistanceMetric.Cosine ? Normalized(baseSet) : baseSet;
        var q = metric == DistanceMetric.Cosine ? Normalized(queries) : queries;
        bool l2 = metric == DistanceMetric.L2;
        var truth = new int[q.Count][];
        int blocks = (q.Count + QueryBlock - 1) / QueryBlock;
        int done = 0;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, block =>
        {
            int first = block * QueryBlock;
            int count = Math.Min(QueryBlock, q.Count - first);
            var distances = new float[count * k];
            var rows = new int[count * k];
            var filled = new int[count];
            for (int row = 0; row < b.Count; row++)
            {
                if (include is not null && !include(row))
                    continue;
                var x = b.Row(row);
                for (int j = 0; j < count; j++)
                {
                    var query = q.Row(first + j);
                    float d = l2 ? VectorKernels.SquaredL2(query, x) : 1f - VectorKernels.Dot(query, x);
                    Insert(distances.AsSpan(j * k, k), rows.AsSpan(j * k, k), ref filled[j], d, row);
                }
            }
            for (int j = 0; j < count; j++)
                truth[first + j] = rows.AsSpan(j * k, filled[j]).ToArray();
            if (queriesDone is not null)
                queriesDone(Interlocked.Add(ref done, count));
        });
        return truth;
    }

    /// <summary>Keeps the k smallest (distance, row) pairs sorted; rows arrive in increasing order, so equal distances keep the lower row.</summary>
    private static void Insert(Span<float> distances, Span<int> rows, ref int filled, float d, int row)
    {
        int k = distances.Length;
        if (filled == k && !(d < distances[k - 1]))
            return;
        int at = filled < k ? filled++ : k - 1;
        while (at > 0 && d < distances[at - 1])
        {
            distances[at] = distances[at - 1];
            rows[at] = rows[at - 1];
            at--;
        }
        distances[at] = d;
        rows[at] = row;
    }

    private static VectorSet Normalized(VectorSet set)
    {
        var data = new float[set.Data.Length];
        for (int r = 0; r < set.Count; r++)
            VectorKernels.Normalize(set.Row(r), data.AsSpan(r * set.Dimensions, set.Dimensions));
        return new VectorSet(data, set.Dimensions);
    }
}

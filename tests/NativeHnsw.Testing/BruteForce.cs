using NativeHnsw.Data;

namespace NativeHnsw.Testing;

/// <summary>Exact k-nearest neighbours: the ground truth every recall figure is measured against, and a double-precision reference distance.</summary>
public static class BruteForce
{
    /// <summary>Distance as the index defines it (cosine and inner product as 1 − similarity), in double precision.</summary>
    public static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y, DistanceMetric metric)
    {
        double dot = 0, nx = 0, ny = 0, l2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double a = x[i], b = y[i];
            dot += a * b;
            nx += a * a;
            ny += b * b;
            l2 += (a - b) * (a - b);
        }
        return metric switch
        {
            DistanceMetric.L2 => l2,
            DistanceMetric.InnerProduct => 1 - dot,
            _ => 1 - dot / (Math.Sqrt(nx) * Math.Sqrt(ny)),
        };
    }

    /// <summary>
    /// True when the query's distances (<see cref="Distance"/>) to all rows of <paramref name="data"/> are distinct: no
    /// tie can reorder a search's heaps, so two engines walking one graph the same way must return the same answers.
    /// </summary>
    public static bool AllDistancesDistinct(float[] data, int dimensions, ReadOnlySpan<float> query, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Length / dimensions;
        var distances = new double[n];
        for (int i = 0; i < n; i++)
            distances[i] = Distance(data.AsSpan(i * dimensions, dimensions), query, metric);
        Array.Sort(distances);
        for (int i = 1; i < n; i++)
        {
            if (distances[i] == distances[i - 1])
                return false;
        }
        return true;
    }

    /// <summary>
    /// For each query row, the row numbers of the <paramref name="k"/> nearest base rows, nearest first (ties: lower row
    /// first). Rows for which <paramref name="include"/> is false are skipped. The search is NativeHnsw.Data's
    /// <see cref="ExactKnn"/> (float32 on the index's SIMD kernels), the same ground truth the harness uses;
    /// <see cref="Distance"/> stays the double-precision reference for checking single distances.
    /// </summary>
    public static int[][] KNearest(float[] data, float[] queries, int dimensions, int k, DistanceMetric metric, Func<int, bool>? include = null) =>
        ExactKnn.Search(new VectorSet(data, dimensions), new VectorSet(queries, dimensions), k, metric, include: include);
}

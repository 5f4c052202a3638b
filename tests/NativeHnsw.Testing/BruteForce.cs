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
    /// For each query row, the row numbers of the <paramref name="k"/> nearest base rows, nearest first (ties: lower row
    /// first). Rows for which <paramref name="include"/> is false are skipped. The search is NativeHnsw.Data's
    /// <see cref="ExactKnn"/> (float32 on the index's SIMD kernels), the same ground truth the harness uses;
    /// <see cref="Distance"/> stays the double-precision reference for checking single distances.
    /// </summary>
    public static int[][] KNearest(float[] data, float[] queries, int dimensions, int k, DistanceMetric metric, Func<int, bool>? include = null) =>
        ExactKnn.Search(new VectorSet(data, dimensions), new VectorSet(queries, dimensions), k, metric, include: include);
}

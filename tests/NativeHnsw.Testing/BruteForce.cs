namespace NativeHnsw.Testing;

/// <summary>Exact k-nearest neighbours in double precision: the ground truth every recall figure is measured against.</summary>
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
    /// For each query row, the row numbers of the <paramref name="k"/> nearest base rows, nearest first.
    /// Rows for which <paramref name="include"/> is false are skipped.
    /// </summary>
    public static int[][] KNearest(float[] data, float[] queries, int dimensions, int k, DistanceMetric metric, Func<int, bool>? include = null)
    {
        int n = data.Length / dimensions;
        int q = queries.Length / dimensions;
        var truth = new int[q][];
        Parallel.For(0, q, qi =>
        {
            var query = queries.AsSpan(qi * dimensions, dimensions);
            var best = new PriorityQueue<int, double>(k + 1, Comparer<double>.Create((a, b) => b.CompareTo(a)));
            for (int row = 0; row < n; row++)
            {
                if (include is not null && !include(row))
                    continue;
                double d = Distance(query, data.AsSpan(row * dimensions, dimensions), metric);
                if (best.Count < k)
                {
                    best.Enqueue(row, d);
                }
                else if (best.TryPeek(out _, out double worst) && d < worst)
                {
                    best.DequeueEnqueue(row, d);
                }
            }
            var rows = new int[best.Count];
            for (int i = rows.Length - 1; i >= 0; i--)
                rows[i] = best.Dequeue();
            truth[qi] = rows;
        });
        return truth;
    }
}

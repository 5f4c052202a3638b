namespace NativeHnsw.CrashChild;

/// <summary>
/// The vectors of the stress runs, derived from (label, version) by a hash so that any thread can
/// say what a label's vector is without shared state, and the distances a search must report, in
/// double precision.
/// </summary>
internal static class StressVectors
{
    public static float[] Of(long label, int version, int dimensions)
    {
        var vector = new float[dimensions];
        Fill(label, version, vector);
        return vector;
    }

    public static void Fill(long label, int version, Span<float> into)
    {
        for (int d = 0; d < into.Length; d++)
        {
            ulong z = (ulong)label * 0x9E3779B97F4A7C15UL + (ulong)version * 0xBF58476D1CE4E5B9UL + (ulong)d * 0x94D049BB133111EBUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            into[d] = (float)((z >> 40) / (double)(1UL << 24) * 2 - 1);
        }
    }

    /// <summary>The vector as the index stores it: unit length under cosine.</summary>
    public static float[] Stored(long label, int version, int dimensions, DistanceMetric metric)
    {
        var vector = Of(label, version, dimensions);
        if (metric == DistanceMetric.Cosine)
        {
            double norm = Math.Sqrt(Dot(vector, vector));
            for (int d = 0; d < vector.Length; d++)
                vector[d] = (float)(vector[d] / norm);
        }
        return vector;
    }

    /// <summary>The distance a search reports between <paramref name="query"/> (as the caller gave it) and a stored vector.</summary>
    public static double Distance(DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> stored)
    {
        switch (metric)
        {
            case DistanceMetric.L2:
                double sum = 0;
                for (int d = 0; d < query.Length; d++)
                {
                    double diff = (double)query[d] - stored[d];
                    sum += diff * diff;
                }
                return sum;
            case DistanceMetric.Cosine:
                return 1 - Dot(query, stored) / Math.Sqrt(Dot(query, query));
            default:
                return 1 - Dot(query, stored);
        }
    }

    public static bool Close(double expected, float actual) => Math.Abs(expected - actual) <= 1e-3 * (1 + Math.Abs(expected));

    public static bool SameVector(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        for (int d = 0; d < expected.Length; d++)
        {
            if (Math.Abs(expected[d] - actual[d]) > 1e-5f * (1 + Math.Abs(expected[d])))
                return false;
        }
        return true;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int d = 0; d < a.Length; d++)
            sum += (double)a[d] * b[d];
        return sum;
    }
}

using System.Globalization;
using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests.Interchange;

/// <summary>
/// Whole-number vectors whose float distances are exact whatever the kernel (8 dimensions in −700..700: every
/// partial sum below 2²⁴), and the comparison of two engines' answers on them: on a query whose distances to the
/// nodes are all distinct, two engines that walk the same graph the same way must give identical top-k.
/// </summary>
internal static class ExactData
{
    public const int Dimensions = 8;
    public const int Range = 700;

    public static float[] Base(int count, int seed) => Datasets.Integers(count, Dimensions, seed, Range);

    public static float[] Queries(int count, int seed) => Datasets.Integers(count, Dimensions, seed, Range);

    /// <summary>True when the query's distances to all <paramref name="data"/> rows are distinct (no tie can reorder a heap).</summary>
    public static bool TieFree(float[] data, ReadOnlySpan<float> query, DistanceMetric metric) =>
        BruteForce.AllDistancesDistinct(data, Dimensions, query, metric);

    /// <summary>
    /// Asserts identical labels and bit-identical distances on every tie-free query, for each k and ef; returns how
    /// many queries were compared (the caller requires enough of them).
    /// </summary>
    public static int AssertSameAnswers(IVectorEngine expected, IVectorEngine actual, float[] data, float[] queries, DistanceMetric metric, int[] ks, int[] efs)
    {
        int compared = 0;
        for (int q = 0; q < queries.Length / Dimensions; q++)
        {
            var query = queries.AsSpan(q * Dimensions, Dimensions);
            if (!TieFree(data, query, metric))
                continue;
            compared++;
            foreach (int k in ks)
            {
                foreach (int ef in efs)
                {
                    var e = expected.Search(query, k, ef);
                    var a = actual.Search(query, k, ef);
                    Assert.True(e.Length == a.Length, $"query {q} k={k} ef={ef}: {expected.Name} found {e.Length}, {actual.Name} {a.Length}");
                    for (int i = 0; i < e.Length; i++)
                    {
                        Assert.True(e[i].Label == a[i].Label && BitConverter.SingleToInt32Bits(e[i].Distance) == BitConverter.SingleToInt32Bits(a[i].Distance),
                            string.Create(CultureInfo.InvariantCulture,
                                $"query {q} k={k} ef={ef} rank {i}: {expected.Name} ({e[i].Label}, {e[i].Distance:R}), {actual.Name} ({a[i].Label}, {a[i].Distance:R})"));
                    }
                }
            }
        }
        return compared;
    }
}

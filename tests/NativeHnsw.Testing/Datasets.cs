using NativeHnsw.Data;

namespace NativeHnsw.Testing;

/// <summary>
/// The seeded synthetic sets of <see cref="SyntheticVectors"/> (their one home, in NativeHnsw.Data), under the name the
/// tests use. The same seed always gives the same floats.
/// </summary>
public static class Datasets
{
    /// <summary>
    /// Whole-number components in −<paramref name="range"/>..<paramref name="range"/>: while every sum of
    /// products stays below 2²⁴ (dims·(2·range)² for L2), float distances are exact in any summation order,
    /// so two engines with different kernels compute bit-identical distances.
    /// </summary>
    public static float[] Integers(int count, int dimensions, int seed, int range)
    {
        var random = new Random(seed);
        var data = new float[checked(count * dimensions)];
        for (int i = 0; i < data.Length; i++)
            data[i] = random.Next(-range, range + 1);
        return data;
    }

    /// <inheritdoc cref="SyntheticVectors.Gaussian"/>
    public static float[] Gaussian(int count, int dimensions, int seed) => SyntheticVectors.Gaussian(count, dimensions, seed);

    /// <inheritdoc cref="SyntheticVectors.Clustered"/>
    public static float[] Clustered(int count, int dimensions, int seed, int clusters = 64, int latentDimensions = 32, double spread = 1.0) =>
        SyntheticVectors.Clustered(count, dimensions, seed, clusters, latentDimensions, spread);

    /// <inheritdoc cref="SyntheticVectors.Row"/>
    public static ReadOnlySpan<float> Row(float[] data, int dimensions, int row) => SyntheticVectors.Row(data, dimensions, row);

    /// <inheritdoc cref="SyntheticVectors.RowLabels"/>
    public static long[] RowLabels(int count) => SyntheticVectors.RowLabels(count);
}

using NativeHnsw.Data;

namespace NativeHnsw.Testing;

/// <summary>
/// The seeded synthetic sets of <see cref="SyntheticVectors"/> (their one home, in NativeHnsw.Data), under the name the
/// tests use. The same seed always gives the same floats.
/// </summary>
public static class Datasets
{
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

namespace NativeHnsw.Data;

/// <summary>Seeded synthetic vector sets, row-major. The same seed always gives the same floats.</summary>
public static class SyntheticVectors
{
    /// <summary>Independent standard normal components: the hardest case for a graph index.</summary>
    public static float[] Gaussian(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var data = new float[checked(count * dimensions)];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)NextGaussian(random);
        return data;
    }

    /// <summary>
    /// A gaussian mixture shaped like real embeddings: <paramref name="clusters"/> centres, and
    /// points whose offsets from their centre come from a <paramref name="latentDimensions"/>-dimensional
    /// gaussian mapped into the full space by one fixed random projection. Real embedding sets have
    /// an intrinsic dimension far below their nominal one; pure noise in 128 dimensions does not.
    /// </summary>
    public static float[] Clustered(int count, int dimensions, int seed, int clusters = 64, int latentDimensions = 32, double spread = 1.0)
    {
        // The structure (centres, projection) comes from a fixed seed so that base and query sets
        // drawn with different seeds share it, as queries of a real workload share their corpus.
        var shape = new Random(0x5EED);
        var centres = new double[clusters * dimensions];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = NextGaussian(shape);
        var projection = new double[dimensions * latentDimensions];
        double scale = 1.0 / Math.Sqrt(latentDimensions);
        for (int i = 0; i < projection.Length; i++)
            projection[i] = NextGaussian(shape) * scale;

        var random = new Random(seed);
        var latent = new double[latentDimensions];
        var data = new float[checked(count * dimensions)];
        for (int row = 0; row < count; row++)
        {
            int c = random.Next(clusters);
            for (int j = 0; j < latentDimensions; j++)
                latent[j] = NextGaussian(random);
            for (int d = 0; d < dimensions; d++)
            {
                double offset = 0;
                for (int j = 0; j < latentDimensions; j++)
                    offset += projection[d * latentDimensions + j] * latent[j];
                data[row * dimensions + d] = (float)(centres[c * dimensions + d] + spread * offset);
            }
        }
        return data;
    }

    /// <summary>Row <paramref name="row"/> of a row-major set.</summary>
    public static ReadOnlySpan<float> Row(float[] data, int dimensions, int row) => data.AsSpan(row * dimensions, dimensions);

    /// <summary>Labels 0..count−1 (row numbers), the convention the tests use.</summary>
    public static long[] RowLabels(int count)
    {
        var labels = new long[count];
        for (int i = 0; i < count; i++)
            labels[i] = i;
        return labels;
    }

    private static double NextGaussian(Random random)
    {
        // Box–Muller; 1 − NextDouble() keeps the logarithm's argument in (0, 1].
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

namespace NativeHnsw.Distance;

/// <summary>
/// A distance as a static-abstract operator, so that the graph code, generic over a struct
/// implementing it, gets the kernel inlined into its loops instead of a call per distance.
/// </summary>
internal interface IDistance
{
    /// <summary>Distance between <paramref name="length"/> floats at <paramref name="x"/> and <paramref name="y"/>.</summary>
    static abstract float Compute(ref float x, ref float y, int length);

    /// <summary>Distances from <paramref name="q"/> to four vectors at once, into <paramref name="results"/>[0..3].</summary>
    static abstract unsafe void Compute4(float* q, float* x0, float* x1, float* x2, float* x3, int length, float* results);
}

/// <summary>1 − x·y over unit vectors (cosine) or raw vectors (inner product): the same arithmetic.</summary>
internal readonly struct DotDistance : IDistance
{
    public static float Compute(ref float x, ref float y, int length) => 1f - VectorKernels.DotUnchecked(ref x, ref y, (nuint)length);

    public static unsafe void Compute4(float* q, float* x0, float* x1, float* x2, float* x3, int length, float* results)
    {
        VectorKernels.Dot4Unchecked(q, x0, x1, x2, x3, (nuint)length, results);
        for (int i = 0; i < 4; i++)
            results[i] = 1f - results[i];
    }
}

/// <summary>Squared Euclidean distance.</summary>
internal readonly struct SquaredL2Distance : IDistance
{
    public static float Compute(ref float x, ref float y, int length) => VectorKernels.SquaredL2Unchecked(ref x, ref y, (nuint)length);

    public static unsafe void Compute4(float* q, float* x0, float* x1, float* x2, float* x3, int length, float* results) =>
        VectorKernels.SquaredL24Unchecked(q, x0, x1, x2, x3, (nuint)length, results);
}

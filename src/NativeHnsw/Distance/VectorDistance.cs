using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeHnsw.Distance;

/// <summary>
/// Exact distances under a <see cref="DistanceMetric"/>, as <see cref="HnswIndex"/> defines them,
/// computed on the engine's SIMD kernels: for exact (brute-force) scans, re-ranking and checks.
/// </summary>
/// <remarks>
/// <para>L2 is the squared Euclidean distance; InnerProduct is 1 − x·y; Cosine is 1 − cos(x, y),
/// computed from the vectors as given (they need not be unit length) and kept within [0, 2].</para>
/// <para>Inputs are not checked for NaN or infinity, which give NaN or infinite distances; use
/// <see cref="VectorValidation"/> first where that matters. Nothing here allocates.</para>
/// </remarks>
public static class VectorDistance
{
    // Below this squared norm the float kernels would sum subnormal products and lose precision;
    // such vectors (and ones whose squared norm overflows) take an exact double-precision path.
    private const float SmallestFastSquaredNorm = 1e-20f;

    /// <summary>The distance between <paramref name="x"/> and <paramref name="y"/> under <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or under cosine a vector is all zeros (it has no direction).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined metric.</exception>
    public static float Compute(DistanceMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            ThrowHelper.ThrowLengthMismatch(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint length = (nuint)x.Length;
        switch (metric)
        {
            case DistanceMetric.L2:
                return VectorKernels.SquaredL2Unchecked(ref xr, ref yr, length);
            case DistanceMetric.InnerProduct:
                return 1f - VectorKernels.DotUnchecked(ref xr, ref yr, length);
            case DistanceMetric.Cosine:
                float xx = VectorKernels.DotUnchecked(ref xr, ref xr, length);
                if (!IsFastSquaredNorm(xx))
                    return ExactCosine(x, y, "x", "y", -1);
                return Cosine(VectorKernels.DotUnchecked(ref xr, ref yr, length), xx, x, y, "x", "y", -1);
            default:
                return ThrowUnknownMetric(metric);
        }
    }

    /// <summary>
    /// The distances from <paramref name="query"/> to each row of <paramref name="vectors"/> (rows of
    /// <c>query.Length</c> floats, one after another) into <paramref name="distances"/>, one per row.
    /// </summary>
    /// <remarks>Rows are taken four at a time, so each chunk of the query is loaded once for four rows.</remarks>
    /// <exception cref="ArgumentException"><paramref name="vectors"/> does not hold exactly
    /// <c>distances.Length</c> rows of <c>query.Length</c> floats, or under cosine the query or a row is all zeros.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined metric.</exception>
    public static void Compute(DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, Span<float> distances)
    {
        int dims = query.Length;
        long expected = (long)distances.Length * dims;
        if (vectors.Length != expected)
            ThrowRowMismatch(vectors.Length, distances.Length, dims);
        switch (metric)
        {
            case DistanceMetric.L2:
                ComputeRows<SquaredDifferenceOperator>(query, vectors, distances);
                break;
            case DistanceMetric.InnerProduct:
                ComputeRows<DotOperator>(query, vectors, distances);
                for (int i = 0; i < distances.Length; i++)
                    distances[i] = 1f - distances[i];
                break;
            case DistanceMetric.Cosine:
                ComputeCosineRows(query, vectors, distances);
                break;
            default:
                ThrowUnknownMetric(metric);
                break;
        }
    }

    /// <summary>The raw sums (x·y or squared differences) of the query with every row.</summary>
    private static void ComputeRows<TOp>(ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, Span<float> sums)
        where TOp : struct, IAccumulateOperator
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float v = ref MemoryMarshal.GetReference(vectors);
        ref float s = ref MemoryMarshal.GetReference(sums);
        nuint dims = (nuint)query.Length;
        nuint rows = (nuint)sums.Length;
        nuint r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float row = ref Unsafe.Add(ref v, r * dims);
            VectorKernels.Aggregate4<TOp>(
                ref q, ref row, ref Unsafe.Add(ref row, dims), ref Unsafe.Add(ref row, 2 * dims), ref Unsafe.Add(ref row, 3 * dims),
                dims, ref Unsafe.Add(ref s, r));
        }
        for (; r < rows; r++)
            Unsafe.Add(ref s, r) = VectorKernels.Aggregate<TOp>(ref q, ref Unsafe.Add(ref v, r * dims), dims);
    }

    private static void ComputeCosineRows(ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, Span<float> distances)
    {
        if (distances.IsEmpty)
            return;
        int dims = query.Length;
        ref float q = ref MemoryMarshal.GetReference(query);
        float qq = VectorKernels.DotUnchecked(ref q, ref q, (nuint)dims);
        if (!IsFastSquaredNorm(qq))
        {
            for (int r = 0; r < distances.Length; r++)
                distances[r] = ExactCosine(query, vectors.Slice(r * dims, dims), "query", "vectors", r);
            return;
        }
        ComputeRows<DotOperator>(query, vectors, distances);
        for (int r = 0; r < distances.Length; r++)
        {
            distances[r] = Cosine(distances[r], qq, query, vectors.Slice(r * dims, dims), "query", "vectors", r);
        }
    }

    /// <summary>1 − cos from x·y and x·x (already known to be in the fast range); y·y is computed here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Cosine(float dot, float xx, ReadOnlySpan<float> x, ReadOnlySpan<float> y, string xName, string yName, int row)
    {
        ref float yr = ref MemoryMarshal.GetReference(y);
        float yy = VectorKernels.DotUnchecked(ref yr, ref yr, (nuint)y.Length);
        if (!IsFastSquaredNorm(yy))
            return ExactCosine(x, y, xName, yName, row);
        // The product of two floats cannot overflow a double.
        double cos = dot / Math.Sqrt((double)xx * yy);
        return (float)(1 - Math.Clamp(cos, -1, 1));
    }

    private static bool IsFastSquaredNorm(float squaredNorm) => squaredNorm >= SmallestFastSquaredNorm && float.IsFinite(squaredNorm);

    /// <summary>Cosine in double precision, where float sums of squares would overflow or lose precision.</summary>
    private static float ExactCosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, string xName, string yName, int row)
    {
        double dot = 0, xx = 0, yy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            dot += (double)x[i] * y[i];
            xx += (double)x[i] * x[i];
            yy += (double)y[i] * y[i];
        }
        if (xx == 0)
            ThrowZero(xName, -1);
        if (yy == 0)
            ThrowZero(yName, row);
        // Squares of finite floats stay finite in double, so only a non-finite input can make this NaN.
        return (float)(1 - Math.Clamp(dot / (Math.Sqrt(xx) * Math.Sqrt(yy)), -1, 1));
    }

    [DoesNotReturn]
    private static void ThrowZero(string paramName, int row) =>
        throw new ArgumentException(
            row < 0
                ? "The vector is all zeros, which has no direction under the cosine metric."
                : $"Row {row} of {paramName} is all zeros, which has no direction under the cosine metric.",
            paramName);

    [DoesNotReturn]
    private static void ThrowRowMismatch(int floats, int rows, int dims) =>
        throw new ArgumentException(
            $"vectors holds {floats} floats; {rows} distances of a {dims}-dimensional query need {(long)rows * dims} ({rows} rows of {dims}).",
            "vectors");

    [DoesNotReturn]
    private static float ThrowUnknownMetric(DistanceMetric metric) =>
        throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a defined distance metric.");
}

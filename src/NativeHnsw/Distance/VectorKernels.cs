using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// The distance kernels: one generic loop per vector width (512 → 256 → 128 → scalar) over an
/// <see cref="IAccumulateOperator"/> struct, in two shapes: one pair of vectors, and one query
/// against four vectors. Sums stay in registers and are reduced once at the end; the tail is
/// handled by reloading the last full vector with the already-counted lanes masked off (no scalar
/// remainder loop).
/// </summary>
/// <remarks>
/// The graph's distances all run here. Each rung runs only where the hardware accelerates that
/// width, so the same binary stays correct with AVX-512 or AVX2 switched off and on Arm.
/// Normalisation, which runs once per vector rather than once per distance, is left to
/// TensorPrimitives.
/// </remarks>
public static class VectorKernels
{
    /// <summary>Dot product of two equal-length vectors.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            ThrowHelper.ThrowLengthMismatch(x.Length, y.Length);
        return DotUnchecked(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), (nuint)x.Length);
    }

    /// <summary>Squared Euclidean distance of two equal-length vectors.</summary>
    public static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            ThrowHelper.ThrowLengthMismatch(x.Length, y.Length);
        return SquaredL2Unchecked(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), (nuint)x.Length);
    }

    /// <summary>
    /// Writes <paramref name="source"/> scaled to unit length into <paramref name="destination"/>.
    /// Returns false, leaving the destination unspecified, when the vector is all zeros.
    /// </summary>
    /// <remarks>
    /// A float sum of squares overflows for components near 1e19 and underflows near 1e−23; such
    /// vectors still have a direction, so they are first rescaled by their largest magnitude.
    /// </remarks>
    public static bool Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length != destination.Length)
            ThrowHelper.ThrowLengthMismatch(source.Length, destination.Length);
        float norm = TensorPrimitives.Norm(source);
        if (float.IsNormal(norm) && float.IsFinite(norm * norm))
        {
            TensorPrimitives.Multiply(source, 1f / norm, destination);
            return true;
        }
        float largest = TensorPrimitives.MaxMagnitude(source);
        if (largest == 0f || !float.IsFinite(largest))
            return false;
        TensorPrimitives.Divide(source, MathF.Abs(largest), destination);
        TensorPrimitives.Multiply(destination, 1f / TensorPrimitives.Norm(destination), destination);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float DotUnchecked(ref float x, ref float y, nuint length) =>
        Aggregate<DotOperator>(ref x, ref y, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredL2Unchecked(ref float x, ref float y, nuint length) =>
        Aggregate<SquaredDifferenceOperator>(ref x, ref y, length);

    /// <summary>
    /// Four distances from one query in a single pass: each query chunk is loaded once for four
    /// multiply-adds, and the four independent streams keep more loads in flight than four calls would.
    /// </summary>
    internal static unsafe void Dot4Unchecked(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results) =>
        Aggregate4<DotOperator>(ref *q, ref *x0, ref *x1, ref *x2, ref *x3, length, ref *results);

    /// <inheritdoc cref="Dot4Unchecked"/>
    internal static unsafe void SquaredL24Unchecked(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results) =>
        Aggregate4<SquaredDifferenceOperator>(ref *q, ref *x0, ref *x1, ref *x2, ref *x3, length, ref *results);

    /// <summary>The width ladder for one pair: the widest accelerated rung the length fills at least once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Aggregate<TOp>(ref float x, ref float y, nuint length)
        where TOp : struct, IAccumulateOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
            return Aggregate512<TOp>(ref x, ref y, length);
        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<float>.Count)
            return Aggregate256<TOp>(ref x, ref y, length);
        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<float>.Count)
            return Aggregate128<TOp>(ref x, ref y, length);
        return AggregateScalar<TOp>(ref x, ref y, length);
    }

    /// <summary>The width ladder for one query against four vectors; <paramref name="results"/> receives four sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Aggregate4<TOp>(ref float q, ref float x0, ref float x1, ref float x2, ref float x3, nuint length, ref float results)
        where TOp : struct, IAccumulateOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
            Aggregate4Of512<TOp>(ref q, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<float>.Count)
            Aggregate4Of256<TOp>(ref q, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<float>.Count)
            Aggregate4Of128<TOp>(ref q, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else
            Aggregate4OfScalar<TOp>(ref q, ref x0, ref x1, ref x2, ref x3, length, ref results);
    }

    // One pair: four accumulators unrolled over four chunks hide the multiply-add latency; the
    // masked tail reloads the last full chunk and zeroes, in both inputs, the lanes the loops
    // already counted. Requires length >= the width.

    internal static float Aggregate512<TOp>(ref float x, ref float y, nuint length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
            a1 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, i + W), Vector512.LoadUnsafe(ref y, i + W), a1);
            a2 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, i + 2 * W), Vector512.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, i + 3 * W), Vector512.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            a1 = TOp.Accumulate(Vector512.LoadUnsafe(ref x, last) & keep, Vector512.LoadUnsafe(ref y, last) & keep, a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    internal static float Aggregate256<TOp>(ref float x, ref float y, nuint length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 8;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
            a1 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, i + W), Vector256.LoadUnsafe(ref y, i + W), a1);
            a2 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, i + 2 * W), Vector256.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, i + 3 * W), Vector256.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            a1 = TOp.Accumulate(Vector256.LoadUnsafe(ref x, last) & keep, Vector256.LoadUnsafe(ref y, last) & keep, a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    internal static float Aggregate128<TOp>(ref float x, ref float y, nuint length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 4;
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), a0);
            a1 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, i + W), Vector128.LoadUnsafe(ref y, i + W), a1);
            a2 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, i + 2 * W), Vector128.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, i + 3 * W), Vector128.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            a1 = TOp.Accumulate(Vector128.LoadUnsafe(ref x, last) & keep, Vector128.LoadUnsafe(ref y, last) & keep, a1);
        }
        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }

    internal static float AggregateScalar<TOp>(ref float x, ref float y, nuint length)
        where TOp : struct, IAccumulateOperator
    {
        float sum = 0f;
        for (nuint i = 0; i < length; i++)
            sum = TOp.Accumulate(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), sum);
        return sum;
    }

    // One query, four vectors: the four streams are the independent accumulators, so each chunk
    // of the query is loaded once per step and there is no further unrolling. Same masked tail.

    internal static void Aggregate4Of512<TOp>(ref float q, ref float x0, ref float x1, ref float x2, ref float x3, nuint length, ref float results)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector512.LoadUnsafe(ref q, i);
            a0 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x0, i), a0);
            a1 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x1, i), a1);
            a2 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x2, i), a2);
            a3 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x3, i), a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            var qv = Vector512.LoadUnsafe(ref q, last) & keep;
            a0 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x0, last) & keep, a0);
            a1 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x1, last) & keep, a1);
            a2 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x2, last) & keep, a2);
            a3 = TOp.Accumulate(qv, Vector512.LoadUnsafe(ref x3, last) & keep, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Aggregate4Of256<TOp>(ref float q, ref float x0, ref float x1, ref float x2, ref float x3, nuint length, ref float results)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 8;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector256.LoadUnsafe(ref q, i);
            a0 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x0, i), a0);
            a1 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x1, i), a1);
            a2 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x2, i), a2);
            a3 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x3, i), a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            var qv = Vector256.LoadUnsafe(ref q, last) & keep;
            a0 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x0, last) & keep, a0);
            a1 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x1, last) & keep, a1);
            a2 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x2, last) & keep, a2);
            a3 = TOp.Accumulate(qv, Vector256.LoadUnsafe(ref x3, last) & keep, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Aggregate4Of128<TOp>(ref float q, ref float x0, ref float x1, ref float x2, ref float x3, nuint length, ref float results)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 4;
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector128.LoadUnsafe(ref q, i);
            a0 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x0, i), a0);
            a1 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x1, i), a1);
            a2 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x2, i), a2);
            a3 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x3, i), a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            var qv = Vector128.LoadUnsafe(ref q, last) & keep;
            a0 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x0, last) & keep, a0);
            a1 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x1, last) & keep, a1);
            a2 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x2, last) & keep, a2);
            a3 = TOp.Accumulate(qv, Vector128.LoadUnsafe(ref x3, last) & keep, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Aggregate4OfScalar<TOp>(ref float q, ref float x0, ref float x1, ref float x2, ref float x3, nuint length, ref float results)
        where TOp : struct, IAccumulateOperator
    {
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
        for (nuint i = 0; i < length; i++)
        {
            float qi = Unsafe.Add(ref q, i);
            a0 = TOp.Accumulate(qi, Unsafe.Add(ref x0, i), a0);
            a1 = TOp.Accumulate(qi, Unsafe.Add(ref x1, i), a1);
            a2 = TOp.Accumulate(qi, Unsafe.Add(ref x2, i), a2);
            a3 = TOp.Accumulate(qi, Unsafe.Add(ref x3, i), a3);
        }
        results = a0;
        Unsafe.Add(ref results, 1) = a1;
        Unsafe.Add(ref results, 2) = a2;
        Unsafe.Add(ref results, 3) = a3;
    }
}

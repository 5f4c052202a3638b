using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// The distance kernels: one width ladder per kernel (512 → 256 → 128 → scalar bits), four
/// register accumulators reduced once at the end, and the tail handled by reloading the last
/// full vector with the already-counted lanes masked off (no scalar remainder loop).
/// </summary>
/// <remarks>
/// This is the only SIMD code in the engine. Each rung runs only where the hardware accelerates
/// that width, so the same binary stays correct with AVX-512 or AVX2 switched off and on Arm.
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
    internal static float DotUnchecked(ref float x, ref float y, nuint length)
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
            return Dot512(ref x, ref y, length);
        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<float>.Count)
            return Dot256(ref x, ref y, length);
        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<float>.Count)
            return Dot128(ref x, ref y, length);
        return DotScalar(ref x, ref y, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredL2Unchecked(ref float x, ref float y, nuint length)
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
            return L2Squared512(ref x, ref y, length);
        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<float>.Count)
            return L2Squared256(ref x, ref y, length);
        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<float>.Count)
            return L2Squared128(ref x, ref y, length);
        return L2SquaredScalar(ref x, ref y, length);
    }

    /// <summary>
    /// Four distances from one query in a single pass: each query chunk is loaded once for four
    /// multiply-adds, and the four independent streams keep more loads in flight than four calls would.
    /// </summary>
    internal static unsafe void Dot4Unchecked(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results)
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
        {
            Batch4Of512<DotStep>(q, x0, x1, x2, x3, length, results);
            return;
        }
        results[0] = DotUnchecked(ref *q, ref *x0, length);
        results[1] = DotUnchecked(ref *q, ref *x1, length);
        results[2] = DotUnchecked(ref *q, ref *x2, length);
        results[3] = DotUnchecked(ref *q, ref *x3, length);
    }

    /// <inheritdoc cref="Dot4Unchecked"/>
    internal static unsafe void SquaredL24Unchecked(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results)
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<float>.Count)
        {
            Batch4Of512<SquaredDifferenceStep>(q, x0, x1, x2, x3, length, results);
            return;
        }
        results[0] = SquaredL2Unchecked(ref *q, ref *x0, length);
        results[1] = SquaredL2Unchecked(ref *q, ref *x1, length);
        results[2] = SquaredL2Unchecked(ref *q, ref *x2, length);
        results[3] = SquaredL2Unchecked(ref *q, ref *x3, length);
    }

    private static unsafe void Batch4Of512<TStep>(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results)
        where TStep : struct, IAccumulateStep
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector512.Load(q + i);
            a0 = TStep.Accumulate(qv, Vector512.Load(x0 + i), a0);
            a1 = TStep.Accumulate(qv, Vector512.Load(x1 + i), a1);
            a2 = TStep.Accumulate(qv, Vector512.Load(x2 + i), a2);
            a3 = TStep.Accumulate(qv, Vector512.Load(x3 + i), a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            var qv = Vector512.Load(q + last) & keep;
            a0 = TStep.Accumulate(qv, Vector512.Load(x0 + last) & keep, a0);
            a1 = TStep.Accumulate(qv, Vector512.Load(x1 + last) & keep, a1);
            a2 = TStep.Accumulate(qv, Vector512.Load(x2 + last) & keep, a2);
            a3 = TStep.Accumulate(qv, Vector512.Load(x3 + last) & keep, a3);
        }
        results[0] = Vector512.Sum(a0);
        results[1] = Vector512.Sum(a1);
        results[2] = Vector512.Sum(a2);
        results[3] = Vector512.Sum(a3);
    }

    private interface IAccumulateStep
    {
        static abstract Vector512<float> Accumulate(Vector512<float> q, Vector512<float> x, Vector512<float> sum);
    }

    private readonly struct DotStep : IAccumulateStep
    {
        public static Vector512<float> Accumulate(Vector512<float> q, Vector512<float> x, Vector512<float> sum) => Vector512.MultiplyAddEstimate(q, x, sum);
    }

    private readonly struct SquaredDifferenceStep : IAccumulateStep
    {
        public static Vector512<float> Accumulate(Vector512<float> q, Vector512<float> x, Vector512<float> sum)
        {
            var d = q - x;
            return Vector512.MultiplyAddEstimate(d, d, sum);
        }
    }

    private static float Dot512(ref float x, ref float y, nuint length)
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
            a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + W), Vector512.LoadUnsafe(ref y, i + W), a1);
            a2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + 2 * W), Vector512.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + 3 * W), Vector512.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            // Reload the last full vector; lanes before i were already counted, so mask them out.
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, last) & keep, Vector512.LoadUnsafe(ref y, last), a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    private static float Dot256(ref float x, ref float y, nuint length)
    {
        const int W = 8;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
            a1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + W), Vector256.LoadUnsafe(ref y, i + W), a1);
            a2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + 2 * W), Vector256.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + 3 * W), Vector256.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            a1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, last) & keep, Vector256.LoadUnsafe(ref y, last), a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    private static float Dot128(ref float x, ref float y, nuint length)
    {
        const int W = 4;
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), a0);
            a1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + W), Vector128.LoadUnsafe(ref y, i + W), a1);
            a2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + 2 * W), Vector128.LoadUnsafe(ref y, i + 2 * W), a2);
            a3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + 3 * W), Vector128.LoadUnsafe(ref y, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            a1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, last) & keep, Vector128.LoadUnsafe(ref y, last), a1);
        }
        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }

    private static float DotScalar(ref float x, ref float y, nuint length)
    {
        float sum = 0f;
        for (nuint i = 0; i < length; i++)
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), sum);
        return sum;
    }

    private static float L2Squared512(ref float x, ref float y, nuint length)
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            var d0 = Vector512.LoadUnsafe(ref x, i) - Vector512.LoadUnsafe(ref y, i);
            var d1 = Vector512.LoadUnsafe(ref x, i + W) - Vector512.LoadUnsafe(ref y, i + W);
            var d2 = Vector512.LoadUnsafe(ref x, i + 2 * W) - Vector512.LoadUnsafe(ref y, i + 2 * W);
            var d3 = Vector512.LoadUnsafe(ref x, i + 3 * W) - Vector512.LoadUnsafe(ref y, i + 3 * W);
            a0 = Vector512.MultiplyAddEstimate(d0, d0, a0);
            a1 = Vector512.MultiplyAddEstimate(d1, d1, a1);
            a2 = Vector512.MultiplyAddEstimate(d2, d2, a2);
            a3 = Vector512.MultiplyAddEstimate(d3, d3, a3);
        }
        for (; i + W <= length; i += W)
        {
            var d = Vector512.LoadUnsafe(ref x, i) - Vector512.LoadUnsafe(ref y, i);
            a0 = Vector512.MultiplyAddEstimate(d, d, a0);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            var d = (Vector512.LoadUnsafe(ref x, last) - Vector512.LoadUnsafe(ref y, last)) & keep;
            a1 = Vector512.MultiplyAddEstimate(d, d, a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    private static float L2Squared256(ref float x, ref float y, nuint length)
    {
        const int W = 8;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            var d0 = Vector256.LoadUnsafe(ref x, i) - Vector256.LoadUnsafe(ref y, i);
            var d1 = Vector256.LoadUnsafe(ref x, i + W) - Vector256.LoadUnsafe(ref y, i + W);
            var d2 = Vector256.LoadUnsafe(ref x, i + 2 * W) - Vector256.LoadUnsafe(ref y, i + 2 * W);
            var d3 = Vector256.LoadUnsafe(ref x, i + 3 * W) - Vector256.LoadUnsafe(ref y, i + 3 * W);
            a0 = Vector256.MultiplyAddEstimate(d0, d0, a0);
            a1 = Vector256.MultiplyAddEstimate(d1, d1, a1);
            a2 = Vector256.MultiplyAddEstimate(d2, d2, a2);
            a3 = Vector256.MultiplyAddEstimate(d3, d3, a3);
        }
        for (; i + W <= length; i += W)
        {
            var d = Vector256.LoadUnsafe(ref x, i) - Vector256.LoadUnsafe(ref y, i);
            a0 = Vector256.MultiplyAddEstimate(d, d, a0);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            var d = (Vector256.LoadUnsafe(ref x, last) - Vector256.LoadUnsafe(ref y, last)) & keep;
            a1 = Vector256.MultiplyAddEstimate(d, d, a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    private static float L2Squared128(ref float x, ref float y, nuint length)
    {
        const int W = 4;
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            var d0 = Vector128.LoadUnsafe(ref x, i) - Vector128.LoadUnsafe(ref y, i);
            var d1 = Vector128.LoadUnsafe(ref x, i + W) - Vector128.LoadUnsafe(ref y, i + W);
            var d2 = Vector128.LoadUnsafe(ref x, i + 2 * W) - Vector128.LoadUnsafe(ref y, i + 2 * W);
            var d3 = Vector128.LoadUnsafe(ref x, i + 3 * W) - Vector128.LoadUnsafe(ref y, i + 3 * W);
            a0 = Vector128.MultiplyAddEstimate(d0, d0, a0);
            a1 = Vector128.MultiplyAddEstimate(d1, d1, a1);
            a2 = Vector128.MultiplyAddEstimate(d2, d2, a2);
            a3 = Vector128.MultiplyAddEstimate(d3, d3, a3);
        }
        for (; i + W <= length; i += W)
        {
            var d = Vector128.LoadUnsafe(ref x, i) - Vector128.LoadUnsafe(ref y, i);
            a0 = Vector128.MultiplyAddEstimate(d, d, a0);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            var d = (Vector128.LoadUnsafe(ref x, last) - Vector128.LoadUnsafe(ref y, last)) & keep;
            a1 = Vector128.MultiplyAddEstimate(d, d, a1);
        }
        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }

    private static float L2SquaredScalar(ref float x, ref float y, nuint length)
    {
        float sum = 0f;
        for (nuint i = 0; i < length; i++)
        {
            float d = Unsafe.Add(ref x, i) - Unsafe.Add(ref y, i);
            sum = MathF.FusedMultiplyAdd(d, d, sum);
        }
        return sum;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// The kernel of int8 search: the exact integer dot product of unsigned 8-bit codes with a signed
/// 8-bit query, Σ codes[i] · query[i], in the shape of <see cref="VectorKernels"/>: one generic loop per
/// width (512 → 256 → 128 → scalar) over an <see cref="IByteDotStep"/>, a masked tail that reloads the
/// last full chunk with the counted codes zeroed, and a four-rows form for the search's batches.
/// </summary>
/// <remarks>
/// <para>With AVX-VNNI the ladder runs the VNNI step at 256 (or 128) bits: one instruction per 32 codes.
/// Without it, the widest accelerated rung runs the widening step. Each rung runs only where the
/// hardware accelerates it, so the results are the same with AVX-512, AVX2 or all intrinsics off.</para>
/// <para>Bounds: |codes[i] · query[i]| ≤ 255 · 128, so a sum over <see cref="HnswOptions.MaxDimensions"/>
/// components stays below 2³¹ and int32 never overflows, in any lane order.</para>
/// L2 and the metrics' constants are applied by <see cref="Int8Quantizer"/> from this dot and per-row norms.
/// </remarks>
internal static class Int8Kernels
{
    /// <summary>Σ codes[i] · query[i] of two equal-length spans.</summary>
    public static int Dot(ReadOnlySpan<byte> codes, ReadOnlySpan<sbyte> query)
    {
        if (codes.Length != query.Length)
            ThrowHelper.ThrowLengthMismatch(codes.Length, query.Length);
        return DotUnchecked(ref MemoryMarshal.GetReference(codes), ref MemoryMarshal.GetReference(query), (nuint)codes.Length);
    }

    /// <summary>The width ladder for one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DotUnchecked(ref byte codes, ref sbyte query, nuint length)
    {
        if (VnniByteDotStep.IsSupported)
        {
            if (length >= 32)
                return Dot256<VnniByteDotStep>(ref codes, ref query, length);
            if (length >= 16)
                return Dot128<VnniByteDotStep>(ref codes, ref query, length);
            return DotScalar(ref codes, ref query, length);
        }
        if (Vector512.IsHardwareAccelerated && length >= 64)
            return Dot512<WideningByteDotStep>(ref codes, ref query, length);
        if (Vector256.IsHardwareAccelerated && length >= 32)
            return Dot256<WideningByteDotStep>(ref codes, ref query, length);
        if (Vector128.IsHardwareAccelerated && length >= 16)
            return Dot128<WideningByteDotStep>(ref codes, ref query, length);
        return DotScalar(ref codes, ref query, length);
    }

    /// <summary>The width ladder for four rows against one query; <paramref name="results"/> receives four sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4Unchecked(ref sbyte query, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
    {
        if (VnniByteDotStep.IsSupported)
        {
            if (length >= 32)
                Dot4Of256<VnniByteDotStep>(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
            else if (length >= 16)
                Dot4Of128<VnniByteDotStep>(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
            else
                Dot4OfScalar(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
        }
        else if (Vector512.IsHardwareAccelerated && length >= 64)
            Dot4Of512<WideningByteDotStep>(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else if (Vector256.IsHardwareAccelerated && length >= 32)
            Dot4Of256<WideningByteDotStep>(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else if (Vector128.IsHardwareAccelerated && length >= 16)
            Dot4Of128<WideningByteDotStep>(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
        else
            Dot4OfScalar(ref query, ref x0, ref x1, ref x2, ref x3, length, ref results);
    }

    // One row: four accumulators over four chunks; the masked tail reloads the last full chunk with
    // the codes already counted zeroed. Requires length >= the width.

    internal static int Dot512<TStep>(ref byte x, ref sbyte q, nuint length)
        where TStep : struct, IByteDotStep
    {
        const int W = 64;
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TStep.Step(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref q, i), a0);
            a1 = TStep.Step(Vector512.LoadUnsafe(ref x, i + W), Vector512.LoadUnsafe(ref q, i + W), a1);
            a2 = TStep.Step(Vector512.LoadUnsafe(ref x, i + 2 * W), Vector512.LoadUnsafe(ref q, i + 2 * W), a2);
            a3 = TStep.Step(Vector512.LoadUnsafe(ref x, i + 3 * W), Vector512.LoadUnsafe(ref q, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TStep.Step(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref q, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<byte>.Indices, Vector512.Create((byte)(i - last)));
            a1 = TStep.Step(Vector512.LoadUnsafe(ref x, last) & keep, Vector512.LoadUnsafe(ref q, last), a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    internal static int Dot256<TStep>(ref byte x, ref sbyte q, nuint length)
        where TStep : struct, IByteDotStep
    {
        const int W = 32;
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TStep.Step(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref q, i), a0);
            a1 = TStep.Step(Vector256.LoadUnsafe(ref x, i + W), Vector256.LoadUnsafe(ref q, i + W), a1);
            a2 = TStep.Step(Vector256.LoadUnsafe(ref x, i + 2 * W), Vector256.LoadUnsafe(ref q, i + 2 * W), a2);
            a3 = TStep.Step(Vector256.LoadUnsafe(ref x, i + 3 * W), Vector256.LoadUnsafe(ref q, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TStep.Step(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref q, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<byte>.Indices, Vector256.Create((byte)(i - last)));
            a1 = TStep.Step(Vector256.LoadUnsafe(ref x, last) & keep, Vector256.LoadUnsafe(ref q, last), a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    internal static int Dot128<TStep>(ref byte x, ref sbyte q, nuint length)
        where TStep : struct, IByteDotStep
    {
        const int W = 16;
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + 4 * W <= length; i += 4 * W)
        {
            a0 = TStep.Step(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref q, i), a0);
            a1 = TStep.Step(Vector128.LoadUnsafe(ref x, i + W), Vector128.LoadUnsafe(ref q, i + W), a1);
            a2 = TStep.Step(Vector128.LoadUnsafe(ref x, i + 2 * W), Vector128.LoadUnsafe(ref q, i + 2 * W), a2);
            a3 = TStep.Step(Vector128.LoadUnsafe(ref x, i + 3 * W), Vector128.LoadUnsafe(ref q, i + 3 * W), a3);
        }
        for (; i + W <= length; i += W)
            a0 = TStep.Step(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref q, i), a0);
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)(i - last)));
            a1 = TStep.Step(Vector128.LoadUnsafe(ref x, last) & keep, Vector128.LoadUnsafe(ref q, last), a1);
        }
        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }

    internal static int DotScalar(ref byte x, ref sbyte q, nuint length)
    {
        int sum = 0;
        for (nuint i = 0; i < length; i++)
            sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref q, i);
        return sum;
    }

    // Four rows: each query chunk is loaded once for the four rows' steps. Same masked tail.

    internal static void Dot4Of512<TStep>(ref sbyte q, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
        where TStep : struct, IByteDotStep
    {
        const int W = 64;
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector512.LoadUnsafe(ref q, i);
            a0 = TStep.Step(Vector512.LoadUnsafe(ref x0, i), qv, a0);
            a1 = TStep.Step(Vector512.LoadUnsafe(ref x1, i), qv, a1);
            a2 = TStep.Step(Vector512.LoadUnsafe(ref x2, i), qv, a2);
            a3 = TStep.Step(Vector512.LoadUnsafe(ref x3, i), qv, a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<byte>.Indices, Vector512.Create((byte)(i - last)));
            var qv = Vector512.LoadUnsafe(ref q, last);
            a0 = TStep.Step(Vector512.LoadUnsafe(ref x0, last) & keep, qv, a0);
            a1 = TStep.Step(Vector512.LoadUnsafe(ref x1, last) & keep, qv, a1);
            a2 = TStep.Step(Vector512.LoadUnsafe(ref x2, last) & keep, qv, a2);
            a3 = TStep.Step(Vector512.LoadUnsafe(ref x3, last) & keep, qv, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Dot4Of256<TStep>(ref sbyte q, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
        where TStep : struct, IByteDotStep
    {
        const int W = 32;
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector256.LoadUnsafe(ref q, i);
            a0 = TStep.Step(Vector256.LoadUnsafe(ref x0, i), qv, a0);
            a1 = TStep.Step(Vector256.LoadUnsafe(ref x1, i), qv, a1);
            a2 = TStep.Step(Vector256.LoadUnsafe(ref x2, i), qv, a2);
            a3 = TStep.Step(Vector256.LoadUnsafe(ref x3, i), qv, a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<byte>.Indices, Vector256.Create((byte)(i - last)));
            var qv = Vector256.LoadUnsafe(ref q, last);
            a0 = TStep.Step(Vector256.LoadUnsafe(ref x0, last) & keep, qv, a0);
            a1 = TStep.Step(Vector256.LoadUnsafe(ref x1, last) & keep, qv, a1);
            a2 = TStep.Step(Vector256.LoadUnsafe(ref x2, last) & keep, qv, a2);
            a3 = TStep.Step(Vector256.LoadUnsafe(ref x3, last) & keep, qv, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Dot4Of128<TStep>(ref sbyte q, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
        where TStep : struct, IByteDotStep
    {
        const int W = 16;
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + W <= length; i += W)
        {
            var qv = Vector128.LoadUnsafe(ref q, i);
            a0 = TStep.Step(Vector128.LoadUnsafe(ref x0, i), qv, a0);
            a1 = TStep.Step(Vector128.LoadUnsafe(ref x1, i), qv, a1);
            a2 = TStep.Step(Vector128.LoadUnsafe(ref x2, i), qv, a2);
            a3 = TStep.Step(Vector128.LoadUnsafe(ref x3, i), qv, a3);
        }
        if (i < length)
        {
            nuint last = length - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)(i - last)));
            var qv = Vector128.LoadUnsafe(ref q, last);
            a0 = TStep.Step(Vector128.LoadUnsafe(ref x0, last) & keep, qv, a0);
            a1 = TStep.Step(Vector128.LoadUnsafe(ref x1, last) & keep, qv, a1);
            a2 = TStep.Step(Vector128.LoadUnsafe(ref x2, last) & keep, qv, a2);
            a3 = TStep.Step(Vector128.LoadUnsafe(ref x3, last) & keep, qv, a3);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }

    internal static void Dot4OfScalar(ref sbyte q, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
    {
        int a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (nuint i = 0; i < length; i++)
        {
            int qi = Unsafe.Add(ref q, i);
            a0 += Unsafe.Add(ref x0, i) * qi;
            a1 += Unsafe.Add(ref x1, i) * qi;
            a2 += Unsafe.Add(ref x2, i) * qi;
            a3 += Unsafe.Add(ref x3, i) * qi;
        }
        results = a0;
        Unsafe.Add(ref results, 1) = a1;
        Unsafe.Add(ref results, 2) = a2;
        Unsafe.Add(ref results, 3) = a3;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Distance;

/// <summary>
/// The kernel of int8 search: the exact integer dot product of unsigned 8-bit codes with a signed
/// 8-bit query, Σ codes[i] · query[i], in the shape of <see cref="VectorKernels"/>: one generic loop per
/// width (512 → 256 → 128 → scalar) over an <see cref="IByteDotStep"/>, a masked tail that reloads the
/// last full chunk with the counted codes zeroed, and a four-rows form for the search's batches.
/// </summary>
/// <remarks>
/// <para>On AVX-512 VNNI CPUs the walk's batches run <see cref="NativeInt8Kernel"/> instead, when its library is present.
/// With AVX-VNNI the ladder runs the VNNI step at 256 (or 128) bits: one instruction per 32 codes.
/// Without it, the widest accelerated rung runs the widening step. Each rung runs only where the
/// hardware accelerates it, so the results are the same with AVX-512, AVX2 or all intrinsics off.</para>
/// <para>The walk reads a prepared query (<see cref="PreparedQueryLength"/>, <see cref="CompleteQuery"/>): on the AVX2 rung
/// without VNNI it carries the query's two nibbles as well, and <see cref="Dot4Prepared"/> runs <c>vpmaddubsw</c> on
/// them, which the widening step cannot use on whole bytes (see <see cref="Dot4Split256"/>); every other rung reads the
/// bytes alone. Either way the sum is the exact integer one.</para>
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

    /// <summary>
    /// Whether the walk's kernels read the query split into nibbles: AVX2 without VNNI and without 512-bit vectors, where
    /// two <c>vpmaddubsw</c> per 32 codes replace the widening step's extract, four widenings and two <c>vpmaddwd</c>.
    /// </summary>
    public static bool SplitsQuery => !VnniByteDotStep.IsSupported && !Vector512.IsHardwareAccelerated && Avx2.IsSupported;

    /// <summary>The rung <see cref="Dot4Prepared"/> runs on this machine, in words, for reports.</summary>
    public static string Rung =>
        VnniByteDotStep.IsSupported ? "AVX-VNNI"
        : Vector512.IsHardwareAccelerated ? "AVX-512BW widening step"
        : SplitsQuery ? "AVX2 nibble split"
        : Vector256.IsHardwareAccelerated ? "256-bit widening step"
        : Vector128.IsHardwareAccelerated ? "128-bit widening step"
        : "scalar";

    /// <summary>Bytes of a prepared query of <paramref name="dimensions"/> components: the query, then (when <see cref="SplitsQuery"/>) its high and low nibbles.</summary>
    public static int PreparedQueryLength(int dimensions) => SplitsQuery ? 3 * dimensions : dimensions;

    /// <summary>
    /// Completes a prepared query whose first <paramref name="dimensions"/> bytes hold the quantized query: when
    /// <see cref="SplitsQuery"/>, writes q &gt;&gt; 4 (−8…7) and q &amp; 15 (0…15) after it, so q = 16 · high + low exactly.
    /// </summary>
    public static void CompleteQuery(Span<sbyte> prepared, int dimensions)
    {
        int needed = PreparedQueryLength(dimensions);
        if (prepared.Length < needed)
            throw new ArgumentException($"A prepared query of {dimensions} dimensions needs {needed} bytes; got {prepared.Length}.", nameof(prepared));
        if (!SplitsQuery)
            return;
        var query = prepared[..dimensions];
        var high = prepared.Slice(dimensions, dimensions);
        var low = prepared.Slice(2 * dimensions, dimensions);
        for (int d = 0; d < dimensions; d++)
        {
            high[d] = (sbyte)(query[d] >> 4);
            low[d] = (sbyte)(query[d] & 15);
        }
    }

    /// <summary><see cref="DotUnchecked"/> of a prepared query (<see cref="PreparedQueryLength"/> bytes at <paramref name="prepared"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DotPrepared(ref byte codes, ref sbyte prepared, nuint length)
    {
        if (SplitsQuery && length >= 32)
            return DotSplit256(ref codes, ref Unsafe.Add(ref prepared, length), ref Unsafe.Add(ref prepared, 2 * length), length);
        return DotUnchecked(ref codes, ref prepared, length);
    }

    /// <summary><see cref="Dot4Unchecked"/> of a prepared query (<see cref="PreparedQueryLength"/> bytes at <paramref name="prepared"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4Prepared(ref sbyte prepared, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
    {
        if (SplitsQuery && length >= 32)
            Dot4Split256(ref Unsafe.Add(ref prepared, length), ref Unsafe.Add(ref prepared, 2 * length), ref x0, ref x1, ref x2, ref x3, length, ref results);
        else
            Dot4Unchecked(ref prepared, ref x0, ref x1, ref x2, ref x3, length, ref results);
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

    // The split rung: Σ c·q = 16 · Σ c·high + Σ c·low. vpmaddubsw adds two products into int16 with saturation; with
    // c ≤ 255, high in −8…7 and low in 0…15 a pair lies in −4,080…3,570 and 0…7,650, so four 32-code chunks (128 codes)
    // sum into int16 exactly before vpmaddwd widens them (by 16 and by 1) into the int32 sums. A block ends every four
    // chunks; the masked tail (the last full chunk reloaded, counted codes zeroed) is a chunk of the last block.

    internal static int DotSplit256(ref byte x, ref sbyte high, ref sbyte low, nuint length)
    {
        const int W = 32;
        var sixteen = Vector256.Create((short)16);
        var one = Vector256.Create((short)1);
        Vector256<int> sum = default;
        nuint i = 0;
        while (i < length)
        {
            Vector256<short> h = default, l = default;
            for (int chunk = 0; chunk < 4 && i < length; chunk++, i += W)
            {
                nuint at = i;
                var keep = Vector256<byte>.AllBitsSet;
                if (i + W > length)
                {
                    at = length - W;
                    keep = Vector256.GreaterThanOrEqual(Vector256<byte>.Indices, Vector256.Create((byte)(i - at)));
                }
                var c = Vector256.LoadUnsafe(ref x, at) & keep;
                h += Avx2.MultiplyAddAdjacent(c, Vector256.LoadUnsafe(ref high, at));
                l += Avx2.MultiplyAddAdjacent(c, Vector256.LoadUnsafe(ref low, at));
            }
            sum += Avx2.MultiplyAddAdjacent(h, sixteen) + Avx2.MultiplyAddAdjacent(l, one);
        }
        return Vector256.Sum(sum);
    }

    internal static void Dot4Split256(ref sbyte high, ref sbyte low, ref byte x0, ref byte x1, ref byte x2, ref byte x3, nuint length, ref int results)
    {
        const int W = 32;
        var sixteen = Vector256.Create((short)16);
        var one = Vector256.Create((short)1);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        while (i < length)
        {
            Vector256<short> h0 = default, h1 = default, h2 = default, h3 = default;
            Vector256<short> l0 = default, l1 = default, l2 = default, l3 = default;
            for (int chunk = 0; chunk < 4 && i < length; chunk++, i += W)
            {
                nuint at = i;
                var keep = Vector256<byte>.AllBitsSet;
                if (i + W > length)
                {
                    at = length - W;
                    keep = Vector256.GreaterThanOrEqual(Vector256<byte>.Indices, Vector256.Create((byte)(i - at)));
                }
                var qh = Vector256.LoadUnsafe(ref high, at);
                var ql = Vector256.LoadUnsafe(ref low, at);
                var c0 = Vector256.LoadUnsafe(ref x0, at) & keep;
                var c1 = Vector256.LoadUnsafe(ref x1, at) & keep;
                var c2 = Vector256.LoadUnsafe(ref x2, at) & keep;
                var c3 = Vector256.LoadUnsafe(ref x3, at) & keep;
                h0 += Avx2.MultiplyAddAdjacent(c0, qh);
                l0 += Avx2.MultiplyAddAdjacent(c0, ql);
                h1 += Avx2.MultiplyAddAdjacent(c1, qh);
                l1 += Avx2.MultiplyAddAdjacent(c1, ql);
                h2 += Avx2.MultiplyAddAdjacent(c2, qh);
                l2 += Avx2.MultiplyAddAdjacent(c2, ql);
                h3 += Avx2.MultiplyAddAdjacent(c3, qh);
                l3 += Avx2.MultiplyAddAdjacent(c3, ql);
            }
            a0 += Avx2.MultiplyAddAdjacent(h0, sixteen) + Avx2.MultiplyAddAdjacent(l0, one);
            a1 += Avx2.MultiplyAddAdjacent(h1, sixteen) + Avx2.MultiplyAddAdjacent(l1, one);
            a2 += Avx2.MultiplyAddAdjacent(h2, sixteen) + Avx2.MultiplyAddAdjacent(l2, one);
            a3 += Avx2.MultiplyAddAdjacent(h3, sixteen) + Avx2.MultiplyAddAdjacent(l3, one);
        }
        LaneSums.Store(a0, a1, a2, a3, ref results);
    }
}

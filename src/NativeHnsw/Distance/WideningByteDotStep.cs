using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Distance;

/// <summary>
/// The byte dot step without VNNI: codes zero-extended and query bytes sign-extended to int16, then
/// multiplied and pairwise added into int32 (<c>vpmaddwd</c> where AVX2 / AVX-512BW has it, the
/// portable widen-multiply-widen elsewhere). <c>vpmaddubsw</c> is not used: it saturates the pair sum
/// (2 · 255 · 127 exceeds int16).
/// </summary>
internal readonly struct WideningByteDotStep : IByteDotStep
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Step(Vector512<byte> codes, Vector512<sbyte> query, Vector512<int> sum)
    {
        if (Avx512BW.IsSupported)
        {
            var lo = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(codes.GetLower()), Avx512BW.ConvertToVector512Int16(query.GetLower()));
            var hi = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(codes.GetUpper()), Avx512BW.ConvertToVector512Int16(query.GetUpper()));
            return sum + lo + hi;
        }
        return Vector512.Create(
            Step(codes.GetLower(), query.GetLower(), sum.GetLower()),
            Step(codes.GetUpper(), query.GetUpper(), sum.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Step(Vector256<byte> codes, Vector256<sbyte> query, Vector256<int> sum)
    {
        if (Avx2.IsSupported)
        {
            var lo = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(codes.GetLower()), Avx2.ConvertToVector256Int16(query.GetLower()));
            var hi = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(codes.GetUpper()), Avx2.ConvertToVector256Int16(query.GetUpper()));
            return sum + lo + hi;
        }
        return Vector256.Create(
            Step(codes.GetLower(), query.GetLower(), sum.GetLower()),
            Step(codes.GetUpper(), query.GetUpper(), sum.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Step(Vector128<byte> codes, Vector128<sbyte> query, Vector128<int> sum)
    {
        var (cl, ch) = Vector128.Widen(codes);
        var (ql, qh) = Vector128.Widen(query);
        // Each product fits int16 exactly: 255 · −128 = −32640, 255 · 127 = 32385.
        var pl = cl.AsInt16() * ql;
        var ph = ch.AsInt16() * qh;
        var (a, b) = Vector128.Widen(pl);
        var (c, d) = Vector128.Widen(ph);
        return sum + ((a + b) + (c + d));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Distance;

/// <summary>
/// The end of a four-row kernel: the lane sums of its four accumulators written to <c>results[0..3]</c> in one
/// reduction. Pairwise horizontal adds transpose the four vectors into one whose lanes are the four sums, in
/// place of four separate reductions; a wide vector is first folded to 256 bits. Without the x86 horizontal
/// adds each accumulator is reduced on its own.
/// </summary>
internal static class LaneSums
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, ref float results)
    {
        if (Avx.IsSupported)
            Store(Fold(a0), Fold(a1), Fold(a2), Fold(a3), ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, ref float results)
    {
        // Per 128-bit half: [Σa0, Σa1, Σa2, Σa3] of that half; the two halves are then added.
        if (Avx.IsSupported)
            Fold(Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3))).StoreUnsafe(ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3, ref float results)
    {
        if (Sse3.IsSupported)
            Sse3.HorizontalAdd(Sse3.HorizontalAdd(a0, a1), Sse3.HorizontalAdd(a2, a3)).StoreUnsafe(ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<int> a0, Vector512<int> a1, Vector512<int> a2, Vector512<int> a3, ref int results)
    {
        if (Avx2.IsSupported)
            Store(Fold(a0), Fold(a1), Fold(a2), Fold(a3), ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, ref int results)
    {
        if (Avx2.IsSupported)
            Fold(Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3))).StoreUnsafe(ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<int> a0, Vector128<int> a1, Vector128<int> a2, Vector128<int> a3, ref int results)
    {
        if (Ssse3.IsSupported)
            Ssse3.HorizontalAdd(Ssse3.HorizontalAdd(a0, a1), Ssse3.HorizontalAdd(a2, a3)).StoreUnsafe(ref results);
        else
            SumEach(a0, a1, a2, a3, ref results);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fold<T>(Vector512<T> a) => a.GetLower() + a.GetUpper();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fold<T>(Vector256<T> a) => a.GetLower() + a.GetUpper();

    private static void SumEach<T>(Vector512<T> a0, Vector512<T> a1, Vector512<T> a2, Vector512<T> a3, ref T results)
    {
        results = Vector512.Sum(a0);
        Unsafe.Add(ref results, 1) = Vector512.Sum(a1);
        Unsafe.Add(ref results, 2) = Vector512.Sum(a2);
        Unsafe.Add(ref results, 3) = Vector512.Sum(a3);
    }

    private static void SumEach<T>(Vector256<T> a0, Vector256<T> a1, Vector256<T> a2, Vector256<T> a3, ref T results)
    {
        results = Vector256.Sum(a0);
        Unsafe.Add(ref results, 1) = Vector256.Sum(a1);
        Unsafe.Add(ref results, 2) = Vector256.Sum(a2);
        Unsafe.Add(ref results, 3) = Vector256.Sum(a3);
    }

    private static void SumEach<T>(Vector128<T> a0, Vector128<T> a1, Vector128<T> a2, Vector128<T> a3, ref T results)
    {
        results = Vector128.Sum(a0);
        Unsafe.Add(ref results, 1) = Vector128.Sum(a1);
        Unsafe.Add(ref results, 2) = Vector128.Sum(a2);
        Unsafe.Add(ref results, 3) = Vector128.Sum(a3);
    }
}

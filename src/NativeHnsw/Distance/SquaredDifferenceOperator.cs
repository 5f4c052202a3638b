using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>sum + (x − y)², lane by lane.</summary>
internal readonly struct SquaredDifferenceOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> x, Vector512<float> y, Vector512<float> sum)
    {
        var d = x - y;
        return Vector512.MultiplyAddEstimate(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> x, Vector256<float> y, Vector256<float> sum)
    {
        var d = x - y;
        return Vector256.MultiplyAddEstimate(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> x, Vector128<float> y, Vector128<float> sum)
    {
        var d = x - y;
        return Vector128.MultiplyAddEstimate(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float x, float y, float sum)
    {
        float d = x - y;
        return MathF.FusedMultiplyAdd(d, d, sum);
    }
}

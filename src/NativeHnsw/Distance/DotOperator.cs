using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>sum + x·y, lane by lane.</summary>
internal readonly struct DotOperator : IAccumulateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> x, Vector512<float> y, Vector512<float> sum) => Vector512.MultiplyAddEstimate(x, y, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> x, Vector256<float> y, Vector256<float> sum) => Vector256.MultiplyAddEstimate(x, y, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> x, Vector128<float> y, Vector128<float> sum) => Vector128.MultiplyAddEstimate(x, y, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float x, float y, float sum) => MathF.FusedMultiplyAdd(x, y, sum);
}

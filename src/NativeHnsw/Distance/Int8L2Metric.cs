using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>|q|² − 2 q·x̂ + |x̂|², floored at 0 (the expansion can round below it).</summary>
internal readonly struct Int8L2Metric : IInt8Metric
{
    public static float Finish(float dot, float queryNorm, float rowNorm) => MathF.Max(0f, queryNorm - 2f * dot + rowNorm);

    public static Vector256<float> Finish(Vector256<float> dot, Vector256<float> queryNorm, Vector256<float> rowNorm) =>
        Vector256.Max(Vector256<float>.Zero, queryNorm - Vector256.Create(2f) * dot + rowNorm);

    public static bool UsesRowNorm => true;
}

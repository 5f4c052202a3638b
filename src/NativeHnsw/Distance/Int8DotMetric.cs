using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>1 − q·x̂: cosine over unit vectors, and inner product.</summary>
internal readonly struct Int8DotMetric : IInt8Metric
{
    public static float Finish(float dot, float queryNorm, float rowNorm) => 1f - dot;

    public static Vector256<float> Finish(Vector256<float> dot, Vector256<float> queryNorm, Vector256<float> rowNorm) => Vector256<float>.One - dot;

    public static bool UsesRowNorm => false;
}

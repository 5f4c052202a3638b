namespace NativeHnsw.Distance;

/// <summary>1 − q·x̂: cosine over unit vectors, and inner product.</summary>
internal readonly struct Int8DotMetric : IInt8Metric
{
    public static float Finish(float dot, float queryNorm, float rowNorm) => 1f - dot;
}

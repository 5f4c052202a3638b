using Microsoft.Extensions.VectorData;
using NativeHnsw;

namespace NativeHnsw.VectorData;

/// <summary>
/// The abstraction's distance functions on our metrics, and our distances turned into its scores. Our cosine distance
/// is 1 − cos, our inner-product distance 1 − a·b, our L2 the squared Euclidean distance.
/// </summary>
internal static class DistanceMapping
{
    public const string Default = DistanceFunction.CosineSimilarity;

    public const string SupportedNames = "CosineSimilarity (the default), CosineDistance, DotProductSimilarity, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance";

    public static DistanceMetric Metric(string? function) => (function ?? Default) switch
    {
        DistanceFunction.CosineSimilarity or DistanceFunction.CosineDistance => DistanceMetric.Cosine,
        DistanceFunction.DotProductSimilarity or DistanceFunction.NegativeDotProductSimilarity => DistanceMetric.InnerProduct,
        DistanceFunction.EuclideanDistance or DistanceFunction.EuclideanSquaredDistance => DistanceMetric.L2,
        _ => throw new NotSupportedException($"distance function '{function}' is not supported by NativeHnsw; use one of {SupportedNames}."),
    };

    public static double Score(string? function, float distance) => (function ?? Default) switch
    {
        DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity => 1.0 - distance,
        DistanceFunction.CosineDistance or DistanceFunction.EuclideanSquaredDistance => distance,
        DistanceFunction.NegativeDotProductSimilarity => distance - 1.0,
        DistanceFunction.EuclideanDistance => Math.Sqrt(Math.Max(0f, distance)),
        _ => throw new NotSupportedException($"distance function '{function}' is not supported."),
    };

    /// <summary>Similarities rank higher-is-closer, so a threshold drops the scores below it; distances the ones above.</summary>
    public static bool IsSimilarity(string? function) =>
        (function ?? Default) is DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity;

    public static bool PassesThreshold(string? function, double score, double? threshold) =>
        threshold is not { } t || (IsSimilarity(function) ? score >= t : score <= t);
}

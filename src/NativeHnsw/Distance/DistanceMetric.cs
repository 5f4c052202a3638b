namespace NativeHnsw;

/// <summary>How distance between two vectors is measured. Smaller is always closer.</summary>
public enum DistanceMetric
{
    /// <summary>1 − cos(a, b). Vectors are normalised once on insert, so search runs a dot product.</summary>
    Cosine = 0,

    /// <summary>Squared Euclidean distance (no square root: it preserves order and costs nothing).</summary>
    L2 = 1,

    /// <summary>1 − a·b, as hnswlib defines it. Not a metric: the graph is built on it all the same.</summary>
    InnerProduct = 2,
}

namespace NativeHnsw.Graph;

/// <summary>
/// The distance from one query to graph nodes, as a graph walk measures it: a struct the walks in
/// <see cref="GraphSearch"/> are generic over, so the kernel (float32 or compact) is inlined into them.
/// </summary>
internal unsafe interface INodeDistance
{
    float To(int node);

    /// <summary>Distances to four nodes at once, into <paramref name="results"/>[0..3].</summary>
    void To4(int n0, int n1, int n2, int n3, float* results);

    /// <summary>Starts fetching the row <see cref="To"/> would read for <paramref name="node"/> (a hint; nothing when the hardware has no prefetch).</summary>
    void Prefetch(int node);
}

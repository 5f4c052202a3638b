namespace NativeHnsw.Graph;

/// <summary>
/// The distance from one query to graph nodes, as a graph walk measures it: a struct the walks in
/// <see cref="GraphSearch"/> are generic over, so the kernel (float32 or compact) is inlined into them.
/// </summary>
internal unsafe interface INodeDistance
{
    float To(int node);

    /// <summary>
    /// Distances to the <paramref name="count"/> nodes at <paramref name="nodes"/>, into <paramref name="distances"/>[0..count):
    /// a walk measures each expansion's unvisited neighbors in one call, so the kernels run four rows to a pass and a compact
    /// walk finishes its estimates side by side, and the walk's code holds one copy of the kernel, not one per neighbor slot.
    /// Each distance is bit for bit what the four-row kernel gives for its row (the remainder: what <see cref="To"/> gives).
    /// </summary>
    void Measure(int* nodes, int count, float* distances);

    /// <summary>Starts fetching the row <see cref="To"/> would read for <paramref name="node"/> (a hint; nothing when the hardware has no prefetch).</summary>
    void Prefetch(int node);
}

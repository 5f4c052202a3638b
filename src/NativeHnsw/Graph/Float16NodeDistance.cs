using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NativeHnsw.Distance;

namespace NativeHnsw.Graph;

/// <summary>
/// Distances from a float32 query to the graph's float16 rows: each row is widened into scratch with the
/// hardware's half conversion (through TensorPrimitives), then measured by the float32 kernel.
/// </summary>
internal readonly unsafe struct Float16NodeDistance<TDistance> : INodeDistance
    where TDistance : struct, IDistance
{
    private readonly float* _query;
    private readonly Half* _rows;
    private readonly float* _scratch;
    private readonly int _dimensions;

    /// <param name="graph">The view whose compact rows are halves.</param>
    /// <param name="query">The query, <c>Dimensions</c> floats.</param>
    /// <param name="scratch">Room for four rows of <c>Dimensions</c> floats.</param>
    public Float16NodeDistance(in GraphView graph, float* query, float* scratch)
    {
        _query = query;
        _rows = (Half*)graph.Codes;
        _scratch = scratch;
        _dimensions = graph.Dimensions;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float To(int node) => TDistance.Compute(ref *_query, ref *Widen(node, 0), _dimensions);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Measure(int* nodes, int count, float* distances)
    {
        int j = 0;
        for (; j + 4 <= count; j += 4)
            TDistance.Compute4(_query, Widen(nodes[j], 0), Widen(nodes[j + 1], 1), Widen(nodes[j + 2], 2), Widen(nodes[j + 3], 3), _dimensions, distances + j);
        for (; j < count; j++)
            distances[j] = To(nodes[j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int node) => RowPrefetch.Fetch((byte*)(_rows + (nint)node * _dimensions), _dimensions * sizeof(ushort));

    private float* Widen(int node, int slot)
    {
        float* destination = _scratch + slot * _dimensions;
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(_rows + (nint)node * _dimensions, _dimensions), new Span<float>(destination, _dimensions));
        return destination;
    }
}

using System.Runtime.CompilerServices;
using NativeHnsw.Distance;

namespace NativeHnsw.Graph;

/// <summary>Exact float32 distances from a query to the graph's vector rows.</summary>
internal readonly unsafe struct FloatNodeDistance<TDistance> : INodeDistance
    where TDistance : struct, IDistance
{
    private readonly float* _query;
    private readonly float* _vectors;
    private readonly int _dimensions;

    public FloatNodeDistance(in GraphView graph, float* query)
    {
        _query = query;
        _vectors = graph.Vector(0);
        _dimensions = graph.Dimensions;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float To(int node) => TDistance.Compute(ref *_query, ref *Row(node), _dimensions);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Measure(int* nodes, int count, float* distances)
    {
        int j = 0;
        for (; j + 4 <= count; j += 4)
            TDistance.Compute4(_query, Row(nodes[j]), Row(nodes[j + 1]), Row(nodes[j + 2]), Row(nodes[j + 3]), _dimensions, distances + j);
        for (; j < count; j++)
            distances[j] = To(nodes[j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int node) => RowPrefetch.Fetch((byte*)Row(node), _dimensions * sizeof(float));

    private float* Row(int node) => _vectors + (nint)node * _dimensions;
}

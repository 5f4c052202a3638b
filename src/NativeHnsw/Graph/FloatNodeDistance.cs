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
    public void To4(int n0, int n1, int n2, int n3, float* results) =>
        TDistance.Compute4(_query, Row(n0), Row(n1), Row(n2), Row(n3), _dimensions, results);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int node) => RowPrefetch.Fetch((byte*)Row(node), _dimensions * sizeof(float));

    private float* Row(int node) => _vectors + (nint)node * _dimensions;
}

using System.Runtime.CompilerServices;
using NativeHnsw.Distance;

namespace NativeHnsw.Graph;

/// <summary>
/// Estimated distances from a quantized query to the graph's int8 rows (<see cref="Int8Quantizer"/>):
/// the integer kernel, then the metric's finish from the query's terms and the row's stored norm.
/// </summary>
internal readonly unsafe struct Int8NodeDistance<TMetric> : INodeDistance
    where TMetric : struct, IInt8Metric
{
    private readonly sbyte* _query;
    private readonly byte* _codes;
    private readonly int _stride;
    private readonly int _dimensions;
    private readonly int _normAt;
    private readonly Int8QueryTerms _terms;

    public Int8NodeDistance(in GraphView graph, sbyte* query, Int8QueryTerms terms)
    {
        _query = query;
        _codes = graph.Codes;
        _stride = graph.CodeStride;
        _dimensions = graph.Dimensions;
        _normAt = _stride - sizeof(float);
        _terms = terms;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float To(int node)
    {
        byte* row = Row(node);
        int dot = Int8Kernels.DotPrepared(ref *row, ref *_query, (nuint)_dimensions);
        return Finish(dot, row);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void To4(int n0, int n1, int n2, int n3, float* results)
    {
        byte* r0 = Row(n0), r1 = Row(n1), r2 = Row(n2), r3 = Row(n3);
        // The integer dots land in the result slots and are finished in place: no stackalloc, which would keep
        // this method from being inlined into the walk (it showed as its own frame, 10 % of an int8 search).
        int* dots = (int*)results;
        Int8Kernels.Dot4Prepared(ref *_query, ref *r0, ref *r1, ref *r2, ref *r3, (nuint)_dimensions, ref *dots);
        results[0] = Finish(dots[0], r0);
        results[1] = Finish(dots[1], r1);
        results[2] = Finish(dots[2], r2);
        results[3] = Finish(dots[3], r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Finish(int dot, byte* row) =>
        TMetric.Finish(_terms.Dot(dot), _terms.QueryNorm, Unsafe.ReadUnaligned<float>(row + _normAt));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int node) => RowPrefetch.Fetch(Row(node), _stride);

    private byte* Row(int node) => _codes + (nint)node * _stride;
}

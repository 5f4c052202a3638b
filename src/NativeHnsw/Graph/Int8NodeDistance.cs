using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    public void Measure(int* nodes, int count, float* distances)
    {
        // The integer dots land in the distance slots and are finished in place, eight to a vector where the hardware has
        // them: no stackalloc, which would keep this method from being inlined into the walk.
        int* dots = (int*)distances;
        if (NativeInt8Kernel.Dots != null)
        {
            // Only where .NET runs 512-bit vectors, so the prepared query is the query's bytes alone (no split).
            NativeInt8Kernel.Dots(_codes, _stride, nodes, count, _query, _dimensions, dots);
        }
        else
        {
            int j = 0;
            for (; j + 4 <= count; j += 4)
                Int8Kernels.Dot4Prepared(ref *_query, ref *Row(nodes[j]), ref *Row(nodes[j + 1]), ref *Row(nodes[j + 2]), ref *Row(nodes[j + 3]),
                    (nuint)_dimensions, ref dots[j]);
            for (; j < count; j++)
                dots[j] = Int8Kernels.DotPrepared(ref *Row(nodes[j]), ref *_query, (nuint)_dimensions);
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var alpha = Vector256.Create(_terms.Alpha);
            var offset = Vector256.Create(_terms.Offset);
            var queryNorm = Vector256.Create(_terms.QueryNorm);
            for (; i + 8 <= count; i += 8)
            {
                // Offset + Alpha · dot as Int8QueryTerms.Dot computes it (a multiply, then an add: no fused rounding).
                var dot = offset + alpha * Vector256.ConvertToSingle(Vector256.Load(dots + i));
                var rowNorm = TMetric.UsesRowNorm ? RowNorms(nodes + i) : default;
                TMetric.Finish(dot, queryNorm, rowNorm).Store(distances + i);
            }
        }
        for (; i < count; i++)
            distances[i] = Finish(dots[i], Row(nodes[i]));
    }

    private Vector256<float> RowNorms(int* nodes) =>
        Vector256.Create(Norm(nodes[0]), Norm(nodes[1]), Norm(nodes[2]), Norm(nodes[3]), Norm(nodes[4]), Norm(nodes[5]), Norm(nodes[6]), Norm(nodes[7]));

    private float Norm(int node) => Unsafe.ReadUnaligned<float>(Row(node) + _normAt);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Finish(int dot, byte* row) =>
        TMetric.Finish(_terms.Dot(dot), _terms.QueryNorm, TMetric.UsesRowNorm ? Unsafe.ReadUnaligned<float>(row + _normAt) : 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int node) => RowPrefetch.Fetch(Row(node), _stride);

    private byte* Row(int node) => _codes + (nint)node * _stride;
}

using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.Tests.Graph;

/// <summary>
/// A walk measures each expansion's neighbors in one batch (<see cref="INodeDistance.Measure"/>): the int8 estimates it
/// finishes eight to a vector must be bit for bit the ones a single row gives, or the walk's choices would depend on where
/// a neighbor falls in its batch.
/// </summary>
public sealed unsafe class NodeDistanceTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(128)]
    [InlineData(300)]
    public void Int8Measure_EveryBatchLength_EqualsOneRowAtATime(int dims)
    {
        const int rows = 200;
        var random = new Random(dims);
        var vectors = new float[rows * dims];
        for (int i = 0; i < vectors.Length; i++)
            vectors[i] = (float)(random.NextDouble() * 4 - 2);
        var min = Enumerable.Repeat(float.PositiveInfinity, dims).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, dims).ToArray();
        for (int r = 0; r < rows; r++)
            Int8Quantizer.Observe(vectors.AsSpan(r * dims, dims), min, max);
        var quantizer = Int8Quantizer.FromRange(min, max);
        int stride = quantizer.RowBytes;
        var codes = new byte[rows * stride];
        for (int r = 0; r < rows; r++)
            quantizer.Encode(vectors.AsSpan(r * dims, dims), codes.AsSpan(r * stride, stride));
        var query = new float[dims];
        for (int d = 0; d < dims; d++)
            query[d] = (float)(random.NextDouble() * 4 - 2);
        var prepared = new sbyte[Int8Kernels.PreparedQueryLength(dims)];
        var terms = quantizer.PrepareQuery(query, prepared, new float[dims]);

        fixed (byte* codeRows = codes)
        fixed (sbyte* q = prepared)
        {
            var graph = new GraphView(null, null, null, null, null, null, rows, 0, dims, 16, codeRows, stride);
            Check(new Int8NodeDistance<Int8DotMetric>(graph, q, terms), random, rows);
            Check(new Int8NodeDistance<Int8L2Metric>(graph, q, terms), random, rows);
        }
    }

    private static void Check<TWalk>(TWalk walk, Random random, int rows)
        where TWalk : struct, INodeDistance
    {
        // Every length a level-0 batch can have at M = 16 (and past it), so every split into fours and eights is met.
        for (int count = 0; count <= 40; count++)
        {
            var nodes = new int[count];
            for (int i = 0; i < count; i++)
                nodes[i] = random.Next(rows);
            var distances = new float[(count + 7) & ~7];
            fixed (int* n = nodes)
            fixed (float* d = distances)
                walk.Measure(n, count, d);
            for (int i = 0; i < count; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(walk.To(nodes[i])), BitConverter.SingleToInt32Bits(distances[i]));
        }
    }
}

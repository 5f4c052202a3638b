using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Distance;

namespace NativeHnsw.Tests.Distance;

/// <summary>Training, encoding, clamping and the query algebra of <see cref="Int8Quantizer"/>.</summary>
public sealed class Int8QuantizerTests
{
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Encode_TrainedValues_DecodeWithinHalfAStepAndNeverClamp() =>
        Prop.ForAll(Gen.Choose(1, 300).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), input =>
        {
            var (dims, seed) = input;
            var rows = RandomRows(50, dims, seed, scale: 1f);
            var q = Train(rows, dims);
            var row = new byte[q.RowBytes];
            var decoded = new float[dims];
            for (int r = 0; r < 50; r++)
            {
                var v = rows.AsSpan(r * dims, dims);
                if (q.Encode(v, row) != 0)
                    return false;
                q.Decode(row, decoded);
                double norm = 0;
                for (int d = 0; d < dims; d++)
                {
                    // Half a step, plus float rounding of min + c·scale.
                    if (Math.Abs(decoded[d] - v[d]) > q.Scale[d] * 0.5f + 1e-6f)
                        return false;
                    norm += (double)decoded[d] * decoded[d];
                }
                if (Math.Abs(Int8Quantizer.NormOf(row) - norm) > 1e-4 * Math.Max(1, norm))
                    return false;
            }
            return true;
        });

    /// <summary>
    /// The vector rungs of Encode give the scalar definition's codes and clamp count exactly (round to even, below 0 or above
    /// 255 clamps, a constant dimension takes code 0 and clamps anything else), at every length, with values far outside
    /// the trained range and constant dimensions; the norm is the in-order double sum, bit for bit.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Encode_MatchesTheScalarDefinition_OutsideTheRangeAndOnConstantDimensions() =>
        Prop.ForAll(Gen.Choose(1, 300).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), input =>
        {
            var (dims, seed) = input;
            var rows = RandomRows(20, dims, seed, scale: 1f);
            var random = new Random(seed);
            var min = new float[dims];
            var max = new float[dims];
            for (int d = 0; d < dims; d++)
            {
                min[d] = (float)(random.NextDouble() - 0.5);
                max[d] = random.Next(5) == 0 ? min[d] : min[d] + (float)random.NextDouble();
            }
            var q = Int8Quantizer.FromRange(min, max);
            var row = new byte[q.RowBytes];
            for (int r = 0; r < 20; r++)
            {
                var v = rows.AsSpan(r * dims, dims);
                if (r % 4 == 0)
                    q.Min.CopyTo(v); // every component at its minimum: on the constant dimensions, exactly the constant
                int clamped = q.Encode(v, row);
                int expectedClamped = 0;
                double norm = 0;
                for (int d = 0; d < dims; d++)
                {
                    float scale = q.Scale[d];
                    int code = (int)MathF.Round((v[d] - q.Min[d]) * (scale > 0 ? 1f / scale : 0f));
                    if (code < 0 || (scale == 0 && v[d] != q.Min[d]))
                        (code, expectedClamped) = (0, expectedClamped + 1);
                    else if (code > Int8Quantizer.MaxCode)
                        (code, expectedClamped) = (Int8Quantizer.MaxCode, expectedClamped + 1);
                    if (row[d] != code)
                        return false;
                    double decoded = q.Min[d] + code * (double)scale;
                    norm += decoded * decoded;
                }
                if (clamped != expectedClamped || Int8Quantizer.NormOf(row) != (float)norm)
                    return false;
            }
            return true;
        });

    /// <summary>Values outside the trained range clamp to its ends and are counted; a constant dimension keeps only its constant.</summary>
    [Fact]
    public void Encode_OutsideTrainedRange_ClampsToTheEnds()
    {
        var q = Int8Quantizer.FromRange([-1f, 0f, 5f], [1f, 10f, 5f]);
        var row = new byte[q.RowBytes];
        var decoded = new float[3];

        Assert.Equal(0, q.Encode([1f, 0f, 5f], row));
        Assert.Equal(3, q.Encode([-7f, 11f, 6f], row));
        q.Decode(row, decoded);
        Assert.Equal([-1f, 10f, 5f], decoded);
        Assert.Equal((byte)0, row[0]);
        Assert.Equal((byte)255, row[1]);
        Assert.Equal(0f, q.Scale[2]);
        Assert.Equal(1 + 100 + 25, Int8Quantizer.NormOf(row), 3);
    }

    /// <summary>The estimated dot is q·Min + α·Σ q8·c exactly, and within the query's rounding (α/2 per code unit) of q·x̂.</summary>
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property PrepareQuery_EstimatedDot_IsTheStatedAlgebra() =>
        Prop.ForAll(Gen.Choose(1, 300).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), input =>
        {
            var (dims, seed) = input;
            var rows = RandomRows(20, dims, seed, scale: 3f);
            var q = Train(rows, dims);
            var query = RandomRows(1, dims, seed + 1, scale: 2f);
            var bytes = new sbyte[dims];
            var terms = q.PrepareQuery(query, bytes, new float[dims]);
            var row = new byte[q.RowBytes];
            var decoded = new float[dims];
            q.Encode(rows.AsSpan(0, dims), row);
            q.Decode(row, decoded);
            int codeDot = Int8Kernels.Dot(row.AsSpan(0, dims), bytes);
            double exact = 0, bound = 0, offset = 0, qq = 0;
            for (int d = 0; d < dims; d++)
            {
                exact += (double)query[d] * decoded[d];
                offset += (double)query[d] * q.Min[d];
                qq += (double)query[d] * query[d];
                bound += row[d] * terms.Alpha * 0.5;
            }
            double estimate = terms.Dot(codeDot);
            double algebra = offset + (double)terms.Alpha * codeDot;
            double slack = 1e-4 * (Math.Abs(offset) + Math.Abs(algebra) + 1);
            return Math.Abs(estimate - algebra) <= slack
                && Math.Abs(estimate - exact) <= bound + slack
                && Math.Abs(terms.QueryNorm - qq) <= 1e-4 * (qq + 1);
        });

    [Theory]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, -1f)]
    [InlineData(0f, float.PositiveInfinity)]
    [InlineData(3e38f, 1e37f)]
    public void Constructor_BadParameters_Throws(float min, float scale)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Int8Quantizer([min], [scale]));
        Assert.Contains("Dimension 0", ex.Message, StringComparison.Ordinal);
    }

    private static Int8Quantizer Train(float[] rows, int dims)
    {
        var min = Enumerable.Repeat(float.PositiveInfinity, dims).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, dims).ToArray();
        for (int r = 0; r < rows.Length / dims; r++)
            Int8Quantizer.Observe(rows.AsSpan(r * dims, dims), min, max);
        return Int8Quantizer.FromRange(min, max);
    }

    private static float[] RandomRows(int count, int dims, int seed, float scale)
    {
        var random = new Random(seed);
        var rows = new float[count * dims];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return rows;
    }
}

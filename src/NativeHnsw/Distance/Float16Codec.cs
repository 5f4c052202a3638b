using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NativeHnsw.Distance;

/// <summary>
/// Float16 rows: each component as an IEEE half (round to nearest even), clamped to ±65,504 (the largest
/// finite half) so that no finite input becomes infinite. Conversion runs through TensorPrimitives, which
/// uses the hardware's half conversions (F16C, AVX-512 FP16) where present.
/// </summary>
internal static class Float16Codec
{
    private const float MaxHalf = 65_504f;

    public static int StrideOf(int dimensions) => dimensions * 2;

    /// <summary>Encodes a vector (in stored form) into a row of <see cref="StrideOf"/> bytes.</summary>
    public static void Encode(ReadOnlySpan<float> vector, Span<byte> row)
    {
        if (row.Length != StrideOf(vector.Length))
            throw new ArgumentException($"A row of {vector.Length} halves is {StrideOf(vector.Length)} bytes, got {row.Length}.", nameof(row));
        var halves = MemoryMarshal.Cast<byte, Half>(row);
        TensorPrimitives.ConvertToHalf(vector, halves);
        for (int d = 0; d < vector.Length; d++)
        {
            if (Half.IsInfinity(halves[d]))
                halves[d] = (Half)Math.Clamp(vector[d], -MaxHalf, MaxHalf);
        }
    }
}

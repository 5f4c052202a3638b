using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// Per-dimension scalar quantization to 8 bits: component d of a stored vector is kept as a code
/// c ∈ 0..255 standing for <c>Min[d] + c · Scale[d]</c>, with Min and Scale trained from the range each
/// dimension spans in the vectors present at training (<c>Scale = (max − min) / 255</c>).
/// </summary>
/// <remarks>
/// <para>Out of range: a component below the trained minimum is stored as code 0 (the minimum), one above
/// the maximum as code 255 (the maximum); a dimension that was constant at training stores every value as
/// that constant. The clamped distance is what the compact walk sees; re-ranking with the float32 rows
/// (on by default) gives the exact distances of the final candidates.</para>
/// <para>A row is <see cref="RowBytes"/> bytes: the codes, zero padding to four bytes, then the float32
/// squared norm of the decoded vector, which L2 needs.</para>
/// <para>Search quantizes the query asymmetrically: t[d] = q[d] · Scale[d] is scaled into signed bytes by
/// one factor α = max|t| / 127, so q·x̂ = q·Min + Σ t[d] · c[d] ≈ q·Min + α · Σ q8[d] · c[d] — an integer
/// dot of unsigned codes with signed bytes, the VNNI instruction's shape (<see cref="Int8Kernels"/>).
/// L2 is |q|² − 2 q·x̂ + |x̂|².</para>
/// </remarks>
internal sealed class Int8Quantizer
{
    public const int MaxCode = 255;
    private const int MaxQueryByte = 127;

    private readonly float[] _min;
    private readonly float[] _scale;
    private readonly float[] _inverse;

    /// <summary>A quantizer from stored parameters; rejects any that are not finite or have a negative scale.</summary>
    public Int8Quantizer(float[] min, float[] scale)
    {
        if (min.Length != scale.Length || min.Length == 0)
            throw new ArgumentException($"min has {min.Length} entries and scale {scale.Length}; both must hold one per dimension.", nameof(scale));
        for (int d = 0; d < min.Length; d++)
        {
            if (!float.IsFinite(min[d]) || !float.IsFinite(scale[d]) || scale[d] < 0 || !float.IsFinite(min[d] + MaxCode * scale[d]))
                throw new ArgumentException($"Dimension {d}: min {min[d]} and scale {scale[d]} are not a finite range (scale must be ≥ 0).", nameof(scale));
        }
        _min = min;
        _scale = scale;
        _inverse = new float[scale.Length];
        for (int d = 0; d < scale.Length; d++)
            _inverse[d] = scale[d] > 0 ? 1f / scale[d] : 0f;
    }

    public int Dimensions => _min.Length;

    public ReadOnlySpan<float> Min => _min;

    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>Bytes of one stored row: codes padded to four bytes, then the squared norm.</summary>
    public int RowBytes => StrideOf(Dimensions);

    public static int StrideOf(int dimensions) => ((dimensions + 3) & ~3) + sizeof(float);

    /// <summary>Bytes of the stored parameters (the file's quantizer section): every Min, then every Scale, as f32.</summary>
    public int ParameterBytes => 2 * Dimensions * sizeof(float);

    public void WriteParameters(Span<byte> destination)
    {
        MemoryMarshal.AsBytes(_min.AsSpan()).CopyTo(destination);
        MemoryMarshal.AsBytes(_scale.AsSpan()).CopyTo(destination[(Dimensions * sizeof(float))..]);
    }

    /// <summary>The quantizer stored in <paramref name="parameters"/> (see <see cref="WriteParameters"/>); ArgumentException when they are not a valid range.</summary>
    public static Int8Quantizer ReadParameters(ReadOnlySpan<byte> parameters, int dimensions)
    {
        var floats = MemoryMarshal.Cast<byte, float>(parameters);
        return new Int8Quantizer(floats[..dimensions].ToArray(), floats.Slice(dimensions, dimensions).ToArray());
    }

    /// <summary>Widens the running per-dimension range [<paramref name="min"/>, <paramref name="max"/>] by one vector.</summary>
    public static void Observe(ReadOnlySpan<float> vector, Span<float> min, Span<float> max)
    {
        TensorPrimitives.Min(vector, min, min);
        TensorPrimitives.Max(vector, max, max);
    }

    /// <summary>The quantizer of the range observed (each min ≤ its max).</summary>
    public static Int8Quantizer FromRange(ReadOnlySpan<float> min, ReadOnlySpan<float> max)
    {
        var lo = min.ToArray();
        var scale = new float[lo.Length];
        for (int d = 0; d < lo.Length; d++)
        {
            // Computed in double: max − min of two finite floats can overflow float.
            double range = (double)max[d] - min[d];
            float s = (float)(range / MaxCode);
            // Round the scale up until the top code reaches the maximum, so no trained value clamps.
            while (s > 0 && lo[d] + MaxCode * (double)s < max[d])
                s = MathF.BitIncrement(s);
            scale[d] = s;
        }
        return new Int8Quantizer(lo, scale);
    }

    /// <summary>
    /// Encodes <paramref name="vector"/> (in stored form) into a row of <see cref="RowBytes"/> bytes. Returns how many
    /// components were clamped. Every rung gives the same bytes: the codes are exact, and the norm is the double sum of the
    /// decoded squares taken in component order (a load re-encodes each row and compares it bit for bit).
    /// </summary>
    public int Encode(ReadOnlySpan<float> vector, Span<byte> row)
    {
        int dims = Dimensions;
        if (vector.Length != dims || row.Length != RowBytes)
            throw new ArgumentException($"Expected {dims} components and a {RowBytes}-byte row, got {vector.Length} and {row.Length}.");
        int clamped = 0;
        double norm = 0;
        int d = 0;
        if (Vector256.IsHardwareAccelerated && dims >= Vector256<float>.Count)
            d = Encode256(vector, row, ref clamped, ref norm);
        for (; d < dims; d++)
        {
            float t = (vector[d] - _min[d]) * _inverse[d];
            int code = (int)MathF.Round(t);
            if (code < 0 || (_scale[d] == 0 && vector[d] != _min[d]))
            {
                clamped++;
                code = 0;
            }
            else if (code > MaxCode)
            {
                clamped++;
                code = MaxCode;
            }
            row[d] = (byte)code;
            double decoded = _min[d] + code * (double)_scale[d];
            norm += decoded * decoded;
        }
        int codeBytes = row.Length - sizeof(float);
        row[dims..codeBytes].Clear();
        MemoryMarshal.Write(row[codeBytes..], (float)norm);
        return clamped;
    }

    /// <summary>
    /// The whole 8-component chunks of <see cref="Encode"/>, the same codes and clamp count as its scalar loop (round to
    /// even, then below 0 or above 255 clamps, a constant dimension takes code 0); returns the components done.
    /// </summary>
    private int Encode256(ReadOnlySpan<float> vector, Span<byte> row, ref int clamped, ref double norm)
    {
        ref float v = ref MemoryMarshal.GetReference(vector);
        ref float lo = ref MemoryMarshal.GetArrayDataReference(_min);
        ref float inv = ref MemoryMarshal.GetArrayDataReference(_inverse);
        ref float sc = ref MemoryMarshal.GetArrayDataReference(_scale);
        ref byte codes = ref MemoryMarshal.GetReference(row);
        var top = Vector256.Create((float)MaxCode);
        int d = 0;
        for (; d + Vector256<float>.Count <= Dimensions; d += Vector256<float>.Count)
        {
            var x = Vector256.LoadUnsafe(ref v, (nuint)d);
            var min = Vector256.LoadUnsafe(ref lo, (nuint)d);
            var scale = Vector256.LoadUnsafe(ref sc, (nuint)d);
            var rounded = Vector256.Round((x - min) * Vector256.LoadUnsafe(ref inv, (nuint)d));
            var flat = Vector256.Equals(scale, Vector256<float>.Zero) & ~Vector256.Equals(x, min);
            var outside = Vector256.LessThan(rounded, Vector256<float>.Zero) | Vector256.GreaterThan(rounded, top) | flat;
            clamped += BitOperations.PopCount(outside.ExtractMostSignificantBits());
            var code = Vector256.ConditionalSelect(flat, Vector256<float>.Zero, Vector256.Min(Vector256.Max(rounded, Vector256<float>.Zero), top));
            var ints = Vector256.ConvertToInt32(code);
            var shorts = Vector128.Narrow(ints.GetLower(), ints.GetUpper()).AsUInt16();
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref codes, d), Vector128.Narrow(shorts, shorts).AsUInt64().ToScalar());
            var (code0, code1) = Vector256.Widen(code);
            var (min0, min1) = Vector256.Widen(min);
            var (scale0, scale1) = Vector256.Widen(scale);
            var decoded0 = min0 + code0 * scale0;
            var decoded1 = min1 + code1 * scale1;
            // The squares are lane-wise; their sum stays in component order, as the scalar loop adds them.
            var square0 = decoded0 * decoded0;
            var square1 = decoded1 * decoded1;
            norm += square0.GetElement(0);
            norm += square0.GetElement(1);
            norm += square0.GetElement(2);
            norm += square0.GetElement(3);
            norm += square1.GetElement(0);
            norm += square1.GetElement(1);
            norm += square1.GetElement(2);
            norm += square1.GetElement(3);
        }
        return d;
    }

    /// <summary>The vector a row stands for.</summary>
    public void Decode(ReadOnlySpan<byte> row, Span<float> destination)
    {
        for (int d = 0; d < Dimensions; d++)
            destination[d] = _min[d] + row[d] * _scale[d];
    }

    /// <summary>The squared norm of the decoded vector, stored at the end of a row.</summary>
    public static float NormOf(ReadOnlySpan<byte> row) => MemoryMarshal.Read<float>(row[^sizeof(float)..]);

    /// <summary>
    /// Quantizes a query (in stored form) into <paramref name="queryBytes"/> and returns the terms that turn the integer dot
    /// into a distance. <paramref name="scratch"/> holds at least <see cref="Dimensions"/> floats (overwritten), so a search
    /// allocates nothing. When <paramref name="queryBytes"/> has room for <see cref="Int8Kernels.PreparedQueryLength"/> bytes
    /// the prepared form the walk's kernels read is completed too (a walk must be given that many).
    /// </summary>
    public Int8QueryTerms PrepareQuery(ReadOnlySpan<float> query, Span<sbyte> queryBytes, Span<float> scratch)
    {
        int dims = Dimensions;
        if (query.Length != dims || queryBytes.Length < dims || scratch.Length < dims)
            throw new ArgumentException($"Expected {dims} components, {dims} query bytes and {dims} scratch floats, got {query.Length}, {queryBytes.Length} and {scratch.Length}.");
        var t = scratch[..dims];
        // t[d] = q[d] · Scale[d]; one factor α = max|t| / 127 scales every t into a signed byte.
        TensorPrimitives.Multiply(query, _scale, t);
        float largest = MathF.Abs(TensorPrimitives.MaxMagnitude(t));
        float alpha = largest / MaxQueryByte;
        float offset = TensorPrimitives.Dot(query, _min);
        float qq = TensorPrimitives.Dot(query, query);
        TensorPrimitives.Multiply(t, alpha > 0 ? 1f / alpha : 0f, t);
        TensorPrimitives.Round(t, t);
        TensorPrimitives.Min(t, MaxQueryByte, t);
        TensorPrimitives.Max(t, -MaxQueryByte, t);
        TensorPrimitives.ConvertTruncating(t, queryBytes[..dims]);
        if (queryBytes.Length >= Int8Kernels.PreparedQueryLength(dims))
            Int8Kernels.CompleteQuery(queryBytes, dims);
        return new Int8QueryTerms(alpha, offset, qq);
    }
}

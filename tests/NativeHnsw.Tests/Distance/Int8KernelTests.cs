using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Distance;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// The int8 kernel against an exact integer reference: every rung the hardware runs, both step kinds,
/// the pair and four-row shapes, every tail length and the extreme codes. The fallback tests run this class
/// again with AVX-512, AVX-VNNI, AVX2 and all hardware intrinsics switched off.
/// </summary>
public sealed class Int8KernelTests
{
    public static TheoryData<int> Lengths() => new(Enumerable.Range(0, 300).Concat([768, 1536, 1537, 4099]));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_EveryLength_EqualsIntegerReference(int length)
    {
        var (codes, query) = Random(length, seed: length);
        Assert.Equal(Reference(codes, query), Int8Kernels.Dot(codes, query));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot4_EveryLength_EqualsIntegerReference(int length)
    {
        var random = new Random(length + 7);
        var query = new sbyte[length];
        var rows = new byte[4][];
        random.NextBytes(MemoryMarshal.AsBytes(query.AsSpan()));
        for (int r = 0; r < 4; r++)
        {
            rows[r] = new byte[length];
            random.NextBytes(rows[r]);
        }
        var results = new int[4];
        ref byte Start(byte[] a) => ref MemoryMarshal.GetArrayDataReference(a);
        Int8Kernels.Dot4Unchecked(ref MemoryMarshal.GetArrayDataReference(query), ref Start(rows[0]), ref Start(rows[1]), ref Start(rows[2]), ref Start(rows[3]),
            (nuint)length, ref results[0]);
        for (int r = 0; r < 4; r++)
            Assert.Equal(Reference(rows[r], query), results[r]);
    }

    /// <summary>The walk's form: a prepared query (nibbles too on the split rung) against four rows, every length.</summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot4Prepared_EveryLength_EqualsIntegerReference(int length)
    {
        var random = new Random(length + 11);
        var (_, query) = Random(length, seed: length + 13);
        var rows = new byte[4][];
        for (int r = 0; r < 4; r++)
        {
            rows[r] = new byte[length];
            random.NextBytes(rows[r]);
        }
        rows[2].AsSpan().Fill(255);
        var prepared = Prepared(query);
        var results = new int[4];
        ref byte Start(byte[] a) => ref MemoryMarshal.GetArrayDataReference(a);
        Int8Kernels.Dot4Prepared(ref MemoryMarshal.GetArrayDataReference(prepared), ref Start(rows[0]), ref Start(rows[1]), ref Start(rows[2]), ref Start(rows[3]), (nuint)length, ref results[0]);
        for (int r = 0; r < 4; r++)
            Assert.Equal(Reference(rows[r], query), results[r]);
        if (length > 0)
            Assert.Equal(Reference(rows[1], query), Int8Kernels.DotPrepared(ref Start(rows[1]), ref prepared[0], (nuint)length));
    }

    /// <summary>q = 16 · high + low for every signed byte, high in −8…7 and low in 0…15 (the split kernel's bounds rest on it).</summary>
    [Fact]
    public void SplitQuery_EveryByte_IsSixteenHighPlusLow()
    {
        var query = new sbyte[256];
        for (int v = 0; v < 256; v++)
            query[v] = (sbyte)(v - 128);
        var (high, low) = Split(query);
        for (int v = 0; v < 256; v++)
        {
            Assert.Equal(query[v], 16 * high[v] + low[v]);
            Assert.InRange((int)high[v], -8, 7);
            Assert.InRange((int)low[v], 0, 15);
        }
    }

    [Fact]
    public void CompleteQuery_ShortBuffer_Throws()
    {
        if (!Int8Kernels.SplitsQuery)
            return;
        var ex = Assert.Throws<ArgumentException>(() => Int8Kernels.CompleteQuery(new sbyte[40], 20));
        Assert.Contains("needs 60 bytes; got 40", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Each rung and step this process can run, called directly, on every tail of its width.</summary>
    [Fact]
    public void EveryRungAndStep_EveryTail_EqualsIntegerReference()
    {
        for (int length = 64; length < 64 + 3 * 64; length++)
        {
            var (codes, query) = Random(length, seed: 1000 + length);
            int expected = Reference(codes, query);
            ref byte x = ref MemoryMarshal.GetArrayDataReference(codes);
            ref sbyte q = ref MemoryMarshal.GetArrayDataReference(query);
            Assert.Equal(expected, Int8Kernels.DotScalar(ref x, ref q, (nuint)length));
            if (Vector128.IsHardwareAccelerated)
                Assert.Equal(expected, Int8Kernels.Dot128<WideningByteDotStep>(ref x, ref q, (nuint)length));
            if (Vector256.IsHardwareAccelerated)
                Assert.Equal(expected, Int8Kernels.Dot256<WideningByteDotStep>(ref x, ref q, (nuint)length));
            if (Vector512.IsHardwareAccelerated)
                Assert.Equal(expected, Int8Kernels.Dot512<WideningByteDotStep>(ref x, ref q, (nuint)length));
            if (Avx2.IsSupported)
            {
                // Every block shape of the split rung: one to six 32-code chunks past the first block, each tail.
                var (high, low) = Split(query);
                Assert.Equal(expected, Int8Kernels.DotSplit256(ref x, ref high[0], ref low[0], (nuint)length));
                var four = new int[4];
                Int8Kernels.Dot4Split256(ref high[0], ref low[0], ref x, ref x, ref x, ref x, (nuint)length, ref four[0]);
                Assert.All(four, sum => Assert.Equal(expected, sum));
            }
            if (AvxVnni.IsSupported)
            {
                Assert.Equal(expected, Int8Kernels.Dot128<VnniByteDotStep>(ref x, ref q, (nuint)length));
                Assert.Equal(expected, Int8Kernels.Dot256<VnniByteDotStep>(ref x, ref q, (nuint)length));
            }
        }
    }

    /// <summary>The largest magnitudes at the largest dimension count: 65,536 · 255 · −128 still fits int32, in every lane order.</summary>
    [Theory]
    [InlineData(127)]
    [InlineData(-128)]
    public void Dot_ExtremeCodesAtMaxDimensions_DoesNotOverflow(int queryByte)
    {
        var codes = new byte[HnswOptions.MaxDimensions];
        var query = new sbyte[HnswOptions.MaxDimensions];
        codes.AsSpan().Fill(255);
        query.AsSpan().Fill((sbyte)queryByte);
        Assert.Equal(HnswOptions.MaxDimensions * 255L * queryByte, Int8Kernels.Dot(codes, query));
        var prepared = Prepared(query);
        Assert.Equal(HnswOptions.MaxDimensions * 255L * queryByte,
            Int8Kernels.DotPrepared(ref codes[0], ref prepared[0], (nuint)HnswOptions.MaxDimensions));
        if (Avx2.IsSupported)
        {
            // The split rung's int16 block sums at their extremes: 4 chunks of pairs at 2 · 255 · −8 and 2 · 255 · 15.
            var (high, low) = Split(query);
            Assert.Equal(HnswOptions.MaxDimensions * 255L * queryByte,
                Int8Kernels.DotSplit256(ref codes[0], ref high[0], ref low[0], (nuint)HnswOptions.MaxDimensions));
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Dot_RandomBytes_EqualsIntegerReference() =>
        Prop.ForAll(Gen.Choose(0, 3000).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), input =>
        {
            var (codes, query) = Random(input.Item1, input.Item2);
            return Reference(codes, query) == Int8Kernels.Dot(codes, query);
        });

    [Fact]
    public void Dot_LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Int8Kernels.Dot(new byte[3], new sbyte[4]));
        Assert.Contains("3 and 4", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>When the fallback run switched VNNI off, it must be off, or the widening step's run proves nothing.</summary>
    [Fact]
    public void VnniSwitch_WhenSet_TakesEffect()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVXVNNI") == "0")
            Assert.False(AvxVnni.IsSupported);
    }

    private static (byte[] Codes, sbyte[] Query) Random(int length, int seed)
    {
        var random = new Random(seed);
        var codes = new byte[length];
        var query = new sbyte[length];
        random.NextBytes(codes);
        random.NextBytes(MemoryMarshal.AsBytes(query.AsSpan()));
        // Extremes at both ends, where a saturating or sign-confused step would show.
        if (length > 1)
        {
            codes[0] = 255;
            query[0] = -128;
            codes[^1] = 255;
            query[^1] = 127;
        }
        return (codes, query);
    }

    /// <summary>The query in the walk's prepared form (<see cref="Int8Kernels.CompleteQuery"/>).</summary>
    private static sbyte[] Prepared(sbyte[] query)
    {
        var prepared = new sbyte[Int8Kernels.PreparedQueryLength(query.Length)];
        query.CopyTo(prepared, 0);
        Int8Kernels.CompleteQuery(prepared, query.Length);
        return prepared;
    }

    /// <summary>The nibbles the split rung reads, whatever rung this process runs.</summary>
    private static (sbyte[] High, sbyte[] Low) Split(sbyte[] query) =>
        (query.Select(q => (sbyte)(q >> 4)).ToArray(), query.Select(q => (sbyte)(q & 15)).ToArray());

    private static int Reference(ReadOnlySpan<byte> codes, ReadOnlySpan<sbyte> query)
    {
        long sum = 0;
        for (int i = 0; i < codes.Length; i++)
            sum += codes[i] * query[i];
        return checked((int)sum);
    }
}

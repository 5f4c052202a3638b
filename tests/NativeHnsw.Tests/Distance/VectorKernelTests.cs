using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Distance;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// Every kernel against a double-precision reference. The fallback tests run this class again in
/// child processes with AVX-512, AVX2 and all hardware intrinsics switched off.
/// </summary>
public sealed unsafe class VectorKernelTests
{
    public static TheoryData<int> Lengths() => new(AllLengths());

    /// <summary>Every tail of every rung (0..256), the common embedding widths, and a ragged long one.</summary>
    private static IEnumerable<int> AllLengths() => Enumerable.Range(0, 257).Concat([768, 1536, 1537]);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_EveryLength_MatchesReferenceOnGuardedMemory(int length)
    {
        using var x = Filled(length, seed: length);
        using var y = Filled(length, seed: length + 10_000);
        float actual = VectorKernels.Dot(x.Span, y.Span);
        var (expected, magnitude) = ReferenceDot(x.Span, y.Span);
        AssertClose(expected, actual, magnitude, length);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL2_EveryLength_MatchesReferenceOnGuardedMemory(int length)
    {
        using var x = Filled(length, seed: length);
        using var y = Filled(length, seed: length + 20_000);
        float actual = VectorKernels.SquaredL2(x.Span, y.Span);
        double expected = ReferenceSquaredL2(x.Span, y.Span);
        AssertClose(expected, actual, expected, length);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot4_EveryLength_MatchesReferenceOnGuardedMemory(int length) =>
        AssertFourWayMatchesReference(length, length + 30_000, VectorKernels.Dot4Unchecked, ReferenceDot);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL24_EveryLength_MatchesReferenceOnGuardedMemory(int length) =>
        AssertFourWayMatchesReference(length, length + 40_000, VectorKernels.SquaredL24Unchecked, (q, x) =>
        {
            double l2 = ReferenceSquaredL2(q, x);
            return (l2, l2);
        });

    /// <summary>
    /// Each ladder must run the widest rung this process accelerates: its sums are bit for bit those
    /// of that rung's loop called directly. The four-way loops sum in another order than the pairwise
    /// ones, so where a vector width runs the test also checks its data tell them apart (a ladder
    /// that fell back to four pairwise calls would fail).
    /// </summary>
    [Fact]
    public void Ladders_EveryLength_RunTheWidestAcceleratedRung()
    {
        bool distinguished = false;
        foreach (int length in AllLengths())
        {
            using var q = Filled(length, seed: length);
            using var rows = new FourRows(length, seed: length + 50_000);
            distinguished |= LaddersMatchRung<DotOperator>(q, rows, VectorKernels.Dot4Unchecked, length);
            distinguished |= LaddersMatchRung<SquaredDifferenceOperator>(q, rows, VectorKernels.SquaredL24Unchecked, length);
        }
        // The scalar loops sum in one order in both shapes; only the vector rungs can be told apart.
        if (Vector128.IsHardwareAccelerated)
            Assert.True(distinguished, "No length gave four-way sums that differ from pairwise ones; the test cannot tell the loops apart.");
    }

    [Fact]
    public void GuardedBuffer_OnLinux_IsGuarded()
    {
        using var buffer = new GuardedBuffer(3);
        Assert.Equal(OperatingSystem.IsLinux(), buffer.IsGuarded);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Kernels_RandomVectors_AgreeWithReference()
    {
        var gen = from length in Gen.Choose(1, 2100)
                  from scale in Gen.Elements(1e-3f, 1f, 1e3f)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (length, scale, seed);
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var random = new Random(input.seed);
            var x = new float[input.length];
            var y = new float[input.length];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((random.NextDouble() * 2 - 1) * input.scale);
                y[i] = (float)((random.NextDouble() * 2 - 1) * input.scale);
            }
            var (dot, magnitude) = ReferenceDot(x, y);
            double l2 = ReferenceSquaredL2(x, y);
            return IsClose(dot, VectorKernels.Dot(x, y), magnitude, x.Length)
                && IsClose(l2, VectorKernels.SquaredL2(x, y), l2, x.Length);
        });
    }

    [Fact]
    public void Dot_LengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorKernels.Dot(new float[3], new float[4]));
        Assert.Contains("3 and 4", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(1e25f)]
    [InlineData(1e-30f)]
    [InlineData(1e38f)]
    public void Normalize_AnyMagnitude_GivesUnitLength(float magnitude)
    {
        float[] v = [magnitude, -2 * magnitude, 0.5f * magnitude];
        var unit = new float[3];
        Assert.True(VectorKernels.Normalize(v, unit));
        double norm = Math.Sqrt(unit.Sum(c => (double)c * c));
        Assert.Equal(1.0, norm, 5);
        Assert.Equal(-2.0, unit[1] / unit[0], 4);
    }

    [Fact]
    public void Normalize_ZeroVector_ReturnsFalse() => Assert.False(VectorKernels.Normalize(new float[5], new float[5]));

    /// <summary>When a child process switched an instruction set off, the switch must have taken effect, or the fallback run proves nothing.</summary>
    [Fact]
    public void IsaSwitches_WhenSet_TakeEffect()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
            Assert.False(Vector512.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.False(Vector256.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(Vector128.IsHardwareAccelerated);
    }

    /// <summary>Switching one width off must leave the next one on where the hardware has it, or its rung is never run.</summary>
    [Fact]
    public void IsaSwitches_WhenSet_LeaveTheNextWidthOn()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0" && Avx2.IsSupported)
            Assert.True(Vector256.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0" && Sse42.IsSupported)
            Assert.True(Vector128.IsHardwareAccelerated);
    }

    private delegate (double Value, double Magnitude) Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> y);

    private static void AssertFourWayMatchesReference(int length, int seed, FourWayKernel kernel, Reference reference)
    {
        using var q = Filled(length, seed: length);
        using var rows = new FourRows(length, seed);
        var results = new float[4];
        fixed (float* r = results)
            rows.Run(q, r, kernel);
        for (int j = 0; j < 4; j++)
        {
            var (expected, magnitude) = reference(q.Span, rows[j].Span);
            AssertClose(expected, results[j], magnitude, length);
        }
    }

    private delegate void FourWayKernel(float* q, float* x0, float* x1, float* x2, float* x3, nuint length, float* results);

    /// <summary>Checks both ladders of one operator against the rung they should pick; true when the four-way and pairwise sums differ.</summary>
    private static bool LaddersMatchRung<TOp>(GuardedBuffer q, FourRows rows, FourWayKernel fourWay, int length)
        where TOp : struct, IAccumulateOperator
    {
        var viaLadder = new float[4];
        var viaRung = new float[4];
        fixed (float* r = viaLadder)
            rows.Run(q, r, fourWay);
        nuint n = (nuint)length;
        ref float qr = ref q.Span.GetPinnableReference();
        ref float x0 = ref rows[0].Span.GetPinnableReference();
        ref float x1 = ref rows[1].Span.GetPinnableReference();
        ref float x2 = ref rows[2].Span.GetPinnableReference();
        ref float x3 = ref rows[3].Span.GetPinnableReference();
        ref float result = ref viaRung[0];
        float pair;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            VectorKernels.Aggregate4Of512<TOp>(ref qr, ref x0, ref x1, ref x2, ref x3, n, ref result);
            pair = VectorKernels.Aggregate512<TOp>(ref qr, ref x0, n);
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            VectorKernels.Aggregate4Of256<TOp>(ref qr, ref x0, ref x1, ref x2, ref x3, n, ref result);
            pair = VectorKernels.Aggregate256<TOp>(ref qr, ref x0, n);
        }
        else if (Vector128.IsHardwareAccelerated && length >= 4)
        {
            VectorKernels.Aggregate4Of128<TOp>(ref qr, ref x0, ref x1, ref x2, ref x3, n, ref result);
            pair = VectorKernels.Aggregate128<TOp>(ref qr, ref x0, n);
        }
        else
        {
            VectorKernels.Aggregate4OfScalar<TOp>(ref qr, ref x0, ref x1, ref x2, ref x3, n, ref result);
            pair = VectorKernels.AggregateScalar<TOp>(ref qr, ref x0, n);
        }
        for (int j = 0; j < 4; j++)
            Assert.True(viaRung[j] == viaLadder[j], $"length {length}, {typeof(TOp).Name}, row {j}: the four-way ladder gave {viaLadder[j]:R}, its rung {viaRung[j]:R}");
        float pairViaLadder = VectorKernels.Aggregate<TOp>(ref qr, ref x0, n);
        Assert.True(pair == pairViaLadder, $"length {length}, {typeof(TOp).Name}: the pairwise ladder gave {pairViaLadder:R}, its rung {pair:R}");
        return pair != viaRung[0];
    }

    /// <summary>Four guarded rows of one length, for the four-way kernels.</summary>
    private sealed class FourRows : IDisposable
    {
        private readonly GuardedBuffer[] _rows;

        public FourRows(int length, int seed) => _rows = [Filled(length, seed), Filled(length, seed + 1), Filled(length, seed + 2), Filled(length, seed + 3)];

        public GuardedBuffer this[int row] => _rows[row];

        public void Run(GuardedBuffer q, float* results, FourWayKernel kernel)
        {
            fixed (float* qp = q.Span)
            fixed (float* x0 = _rows[0].Span)
            fixed (float* x1 = _rows[1].Span)
            fixed (float* x2 = _rows[2].Span)
            fixed (float* x3 = _rows[3].Span)
                kernel(qp, x0, x1, x2, x3, (nuint)q.Length, results);
        }

        public void Dispose()
        {
            foreach (var row in _rows)
                row.Dispose();
        }
    }

    private static GuardedBuffer Filled(int length, int seed)
    {
        var buffer = new GuardedBuffer(length);
        var random = new Random(seed);
        var span = buffer.Span;
        for (int i = 0; i < span.Length; i++)
            span[i] = (float)(random.NextDouble() * 2 - 1);
        return buffer;
    }

    private static (double Value, double Magnitude) ReferenceDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0, magnitude = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += (double)x[i] * y[i];
            magnitude += Math.Abs((double)x[i] * y[i]);
        }
        return (sum, magnitude);
    }

    private static double ReferenceSquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - y[i];
            sum += d * d;
        }
        return sum;
    }

    // Float accumulation error grows with the number of terms; the bound scales with the sum of
    // magnitudes (not the result, which can cancel to near zero) and with the length.
    private static bool IsClose(double expected, float actual, double magnitude, int length) =>
        Math.Abs(expected - actual) <= (2e-7 * Math.Sqrt(Math.Max(length, 1)) * 4 * magnitude) + 1e-30;

    private static void AssertClose(double expected, float actual, double magnitude, int length) =>
        Assert.True(IsClose(expected, actual, magnitude, length),
            $"length {length}: expected {expected:R}, got {actual:R} (tolerance from magnitude {magnitude:R})");
}

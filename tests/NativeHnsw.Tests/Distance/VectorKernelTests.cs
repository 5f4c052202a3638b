using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Distance;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// Every kernel against a double-precision reference. The fallback tests run this class again in
/// child processes with AVX-512, AVX2 and all hardware intrinsics switched off.
/// </summary>
public sealed class VectorKernelTests
{
    public static TheoryData<int> Lengths()
    {
        var lengths = new TheoryData<int>();
        for (int n = 0; n <= 256; n++)
            lengths.Add(n);
        lengths.Add(768);
        lengths.Add(1536);
        lengths.Add(1537);
        return lengths;
    }

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

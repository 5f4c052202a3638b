using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NativeHnsw.Distance;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// The native AVX-512 VNNI batch kernel (native/kernels) against the exact integer reference: every length up to 300
/// and past the 64-byte chunk at both ends, every batch length of a walk, rows at a stride with bytes past their codes
/// that must never be read, and the extremes at the largest dimension count. And the rules of when it runs: wherever
/// this machine can run it, it must be loaded (or the managed ladder would be all these tests ever see); the fallback
/// tests run this class again with AVX-512, all intrinsics and the project's own switch off, where it must not be.
/// </summary>
public sealed unsafe class NativeInt8KernelTests
{
    public static TheoryData<int> Lengths() => new(Enumerable.Range(1, 300).Concat([511, 512, 513, 1537, 4099]));

    [Fact]
    public void Loaded_ExactlyWhereThisMachineRunsIt()
    {
        bool switchedOff = Environment.GetEnvironmentVariable(NativeInt8Kernel.SwitchName) == "0";
        bool runnable = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            && Vector512.IsHardwareAccelerated && Avx512BW.IsSupported && CpuFlags().Contains(" avx512_vnni ", StringComparison.Ordinal);
        Assert.True(NativeInt8Kernel.IsLoaded == (runnable && !switchedOff),
            $"runnable here: {runnable}, {NativeInt8Kernel.SwitchName}=0: {switchedOff}, kernel: {NativeInt8Kernel.Status}");
        if (!NativeInt8Kernel.IsLoaded)
            Assert.StartsWith("managed (", NativeInt8Kernel.Status, StringComparison.Ordinal);
        if (switchedOff)
            Assert.Contains(NativeInt8Kernel.SwitchName, NativeInt8Kernel.Status, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dots_EveryBatchLength_EqualsIntegerReference(int dims)
    {
        SkipUnlessLoaded();
        const int rows = 50;
        // Four bytes past each row's codes (where the stored norm sits) and past the query, all non-zero: a read past
        // dims would multiply them in and change the sum.
        int stride = dims + 4;
        var random = new Random(dims);
        var codes = new byte[rows * stride];
        random.NextBytes(codes);
        var query = new sbyte[dims + 64];
        random.NextBytes(MemoryMarshal.AsBytes(query.AsSpan()));
        for (int i = dims; i < query.Length; i++)
            query[i] = 127;
        codes[0] = 255;
        query[0] = -128;
        var expected = new int[rows];
        for (int r = 0; r < rows; r++)
            expected[r] = Reference(codes.AsSpan(r * stride, dims), query.AsSpan(0, dims));

        for (int count = 0; count <= 40; count++)
        {
            var nodes = new int[count];
            for (int j = 0; j < count; j++)
                nodes[j] = random.Next(rows);
            var dots = new int[count + 1];
            dots[count] = 0x5eed;
            fixed (byte* c = codes)
            fixed (sbyte* q = query)
            fixed (int* n = nodes)
            fixed (int* d = dots)
                NativeInt8Kernel.Dots(c, stride, n, count, q, dims, d);
            for (int j = 0; j < count; j++)
                Assert.True(expected[nodes[j]] == dots[j], $"dims {dims}, batch of {count}, slot {j}: {dots[j]}, expected {expected[nodes[j]]}");
            Assert.Equal(0x5eed, dots[count]);
        }
    }

    /// <summary>65,536 · 255 · −128 fits int32, and vpdpbusd must not saturate on the way (its vpdpbusds sibling would).</summary>
    [Theory]
    [InlineData(127)]
    [InlineData(-128)]
    public void Dots_ExtremeCodesAtMaxDimensions_DoNotSaturate(int queryByte)
    {
        SkipUnlessLoaded();
        int dims = HnswOptions.MaxDimensions;
        var codes = new byte[dims];
        var query = new sbyte[dims];
        codes.AsSpan().Fill(255);
        query.AsSpan().Fill((sbyte)queryByte);
        var nodes = new int[5];
        var dots = new int[5];
        fixed (byte* c = codes)
        fixed (sbyte* q = query)
        fixed (int* n = nodes)
        fixed (int* d = dots)
            NativeInt8Kernel.Dots(c, dims, n, nodes.Length, q, dims, d);
        Assert.All(dots, dot => Assert.Equal(dims * 255L * queryByte, dot));
    }

    private static void SkipUnlessLoaded()
    {
        if (!NativeInt8Kernel.IsLoaded)
            Assert.Skip($"the native kernel does not run here: {NativeInt8Kernel.Status}");
    }

    private static int Reference(ReadOnlySpan<byte> codes, ReadOnlySpan<sbyte> query)
    {
        long sum = 0;
        for (int i = 0; i < codes.Length; i++)
            sum += codes[i] * query[i];
        return checked((int)sum);
    }

    private static string CpuFlags()
    {
        if (!File.Exists("/proc/cpuinfo"))
            return "";
        string? flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return flags is null ? "" : $" {flags[(flags.IndexOf(':', StringComparison.Ordinal) + 1)..]} ";
    }
}

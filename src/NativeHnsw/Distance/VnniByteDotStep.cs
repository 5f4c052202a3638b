using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Distance;

/// <summary>
/// The byte dot step on AVX-VNNI: <c>vpdpbusd</c> multiplies four unsigned codes by four signed query
/// bytes and adds the four products to each int32 lane, without saturation. .NET 10 exposes it at 128
/// and 256 bits only (<see cref="AvxVnni"/>); there is no 512-bit form to call, so the 512 rung is never
/// taken with this step (the walk's batches reach 512-bit VNNI through <see cref="NativeInt8Kernel"/>).
/// </summary>
internal readonly struct VnniByteDotStep : IByteDotStep
{
    public static bool IsSupported => AvxVnni.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Step(Vector512<byte> codes, Vector512<sbyte> query, Vector512<int> sum) =>
        throw new PlatformNotSupportedException("No 512-bit VNNI in .NET 10.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Step(Vector256<byte> codes, Vector256<sbyte> query, Vector256<int> sum) =>
        AvxVnni.MultiplyWideningAndAdd(sum, codes, query);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Step(Vector128<byte> codes, Vector128<sbyte> query, Vector128<int> sum) =>
        AvxVnni.MultiplyWideningAndAdd(sum, codes, query);
}

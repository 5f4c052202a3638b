using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using unsafe DotsFunction = delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, long, int*, int, sbyte*, int, int*, void>;

namespace NativeHnsw.Distance;

/// <summary>
/// The int8 walk's batch kernel on AVX-512 VNNI, from native/kernels (libnhnsw_kernels.so): .NET 10 has no 512-bit
/// <c>vpdpbusd</c> (<see cref="AvxVnni"/> is the 256-bit VEX form, which AVX-512 CPUs such as Zen 4 do not have), so on
/// those CPUs the managed ladder runs the widening step, several instructions per 64 codes where VNNI takes one.
/// </summary>
/// <remarks>
/// <para>Used only where all of these hold, and otherwise <see cref="Dots"/> is null and <see cref="Int8Kernels"/> runs:
/// the library loads (beside this assembly, or from a package's runtimes/&lt;rid&gt;/native), it speaks ABI
/// <see cref="Abi"/>, the CPU has AVX-512F/BW and VNNI, .NET itself runs 512-bit vectors (so DOTNET_EnableAVX512=0 or
/// DOTNET_EnableHWIntrinsic=0 also turn it off), and NHNSW_NATIVE_KERNELS is not <c>0</c>.</para>
/// <para>The sums are the exact integer ones, the same as every managed rung's, so which kernel runs never changes a
/// walk. The call suppresses the GC transition: the kernel is short, never blocks and never calls back.</para>
/// </remarks>
internal static unsafe class NativeInt8Kernel
{
    /// <summary>The ABI this assembly was written against (nh_kernels_abi in native/kernels/int8_dots.c).</summary>
    public const int Abi = 1;

    /// <summary>The environment variable that, set to <c>0</c>, keeps the managed kernels (for comparisons and tests).</summary>
    public const string SwitchName = "NHNSW_NATIVE_KERNELS";

    private const string LibraryName = "nhnsw_kernels";

    /// <summary>
    /// dots[j] = Σ codes[nodes[j] · stride + i] · query[i] over i &lt; dims, for j &lt; count; null when the managed
    /// kernels run. Arguments: codes, stride, nodes, count, query, dims, dots.
    /// </summary>
    /// <remarks>A static readonly field, so the walk's tiered code sees a constant and keeps one of its two branches.</remarks>
    public static readonly DotsFunction Dots = Load(out s_status);

    private static readonly string s_status;

    /// <summary>Which kernel the int8 walk runs and, for the managed one, why: for reports and test messages.</summary>
    public static string Status => s_status;

    public static bool IsLoaded => Dots != null;

    private static DotsFunction Load(out string status)
    {
        if (Environment.GetEnvironmentVariable(SwitchName) == "0")
            return Refuse(out status, $"{ManagedRung()}: {SwitchName}=0");
        if (!Vector512.IsHardwareAccelerated || !Avx512BW.IsSupported)
            return Refuse(out status, $"{ManagedRung()}: .NET runs no 512-bit vectors here");
        if (!NativeLibrary.TryLoad(LibraryName, typeof(NativeInt8Kernel).Assembly, DllImportSearchPath.AssemblyDirectory, out nint library))
            return Refuse(out status, $"{ManagedRung()}: lib{LibraryName}.so not found beside {Path.GetFileName(typeof(NativeInt8Kernel).Assembly.Location)}");
        if (!NativeLibrary.TryGetExport(library, "nh_kernels_abi", out nint abi)
            || !NativeLibrary.TryGetExport(library, "nh_int8_vnni_supported", out nint supported)
            || !NativeLibrary.TryGetExport(library, "nh_int8_dots", out nint dots))
            return Refuse(out status, $"{ManagedRung()}: lib{LibraryName}.so lacks the kernel's exports");
        int found = ((delegate* unmanaged[Cdecl]<int>)abi)();
        if (found != Abi)
            return Refuse(out status, $"{ManagedRung()}: lib{LibraryName}.so speaks ABI {found}, this assembly {Abi}");
        if (((delegate* unmanaged[Cdecl]<int>)supported)() == 0)
            return Refuse(out status, $"{ManagedRung()}: the CPU has no AVX-512 VNNI");
        status = $"AVX-512 VNNI (native, lib{LibraryName}.so)";
        return (DotsFunction)dots;
    }

    private static DotsFunction Refuse(out string status, string why)
    {
        status = why;
        return null;
    }

    private static string ManagedRung() => $"managed ({Int8Kernels.Rung})";
}

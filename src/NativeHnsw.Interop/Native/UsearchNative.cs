using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// USearch 2.26's own C API (<c>libusearch_c.so</c> from the Cloud.Unum.USearch NuGet package, c/usearch.h), names kept.
/// </summary>
/// <remarks>
/// <para>Errors: every function takes a <c>usearch_error_t*</c> (a <c>char const**</c>) that it sets to a static,
/// null-terminated message on failure and leaves alone on success, so each call passes a fresh null and
/// <see cref="Check"/> turns a non-null result into a <see cref="UsearchException"/>. There are no status codes.</para>
/// <para>Thread contexts: the index keeps a fixed pool of per-thread search contexts (threads_add, threads_search). A call
/// that finds the pool empty fails rather than waits, so the engine gates every entry on a semaphore with as many
/// permits as it reserved contexts. <c>usearch_reserve</c> resets both thread counts to the hardware's, so the engine
/// sets them again after every reserve.</para>
/// <para>Enums: metric kinds 1 cos (1 − cos), 2 ip (1 − dot), 3 l2sq (squared L2); scalar kinds 1 f32, 3 f16, 4 i8.</para>
/// </remarks>
internal static unsafe partial class UsearchNative
{
    internal const string LibraryName = "usearch_c";

    /// <summary>usearch_metric_cos_k.</summary>
    public const int MetricCos = 1;

    /// <summary>usearch_metric_ip_k.</summary>
    public const int MetricIp = 2;

    /// <summary>usearch_metric_l2sq_k.</summary>
    public const int MetricL2sq = 3;

    /// <summary>usearch_scalar_f32_k.</summary>
    public const int ScalarF32 = 1;

    /// <summary>usearch_scalar_f16_k.</summary>
    public const int ScalarF16 = 3;

    /// <summary>usearch_scalar_i8_k.</summary>
    public const int ScalarI8 = 4;

    static UsearchNative() => NativeLibraries.RegisterResolver();

    /// <summary>usearch_init_options_t, field for field (C layout: enums are int, size_t is nuint, bool is one byte).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InitOptions
    {
        public int MetricKind;
        public nint Metric;
        public int Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
    }

    [LibraryImport(LibraryName)]
    internal static partial nint usearch_version();

    [LibraryImport(LibraryName)]
    internal static partial nint usearch_init(InitOptions* options, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_free(nint index, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_memory_usage(nint index, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nint usearch_hardware_acceleration(nint index, nint* error);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void usearch_save(nint index, string path, nint* error);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void usearch_load(nint index, string path, nint* error);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void usearch_view(nint index, string path, nint* error);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void usearch_metadata(string path, InitOptions* options, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_size(nint index, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_capacity(nint index, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_dimensions(nint index, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_reserve(nint index, nuint capacity, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_change_expansion_search(nint index, nuint expansion, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_change_threads_add(nint index, nuint threads, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_change_threads_search(nint index, nuint threads, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial void usearch_add(nint index, ulong key, void* vector, int vectorKind, nint* error);

    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_search(
        nint index, void* query, int queryKind, nuint count, ulong* keys, float* distances, nint* error);

    /// <summary>The filter returns non-zero for keys that may be returned.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nuint usearch_filtered_search(
        nint index, void* query, int queryKind, nuint count,
        delegate* unmanaged<ulong, void*, int> filter, void* filterState,
        ulong* keys, float* distances, nint* error);

    /// <summary>Throws a <see cref="UsearchException"/> carrying the native message when <paramref name="error"/> is set.</summary>
    internal static void Check(nint error, string function)
    {
        if (error != 0)
            Throw(error, function);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(nint error, string function) =>
        throw new UsearchException(function, Marshal.PtrToStringUTF8(error) ?? "(USearch gave no message)");
}

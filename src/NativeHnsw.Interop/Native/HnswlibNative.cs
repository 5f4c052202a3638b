using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// NativeHnsw's C ABI over hnswlib 0.6.2 (<c>libhnswlib_c.so</c>, native/hnswlib_c/hnswlib_c.h), names kept.
/// </summary>
/// <remarks>
/// <para>Status codes (nh_hnsw_status): 0 NH_HNSW_OK; -1 NH_HNSW_INVALID_ARGUMENT (null pointer, bad size, unknown space,
/// dimension that does not match a loaded file); -2 NH_HNSW_RUNTIME_ERROR (hnswlib's std::runtime_error: I/O failure,
/// capacity exceeded); -3 NH_HNSW_OUT_OF_MEMORY; -4 NH_HNSW_STD_EXCEPTION; -5 NH_HNSW_UNKNOWN_EXCEPTION. After a failure,
/// <see cref="nh_hnsw_last_error"/> returns the calling thread's message.</para>
/// <para>Spaces: 0 L2 (squared distance), 1 inner product (1 − dot).</para>
/// </remarks>
internal static unsafe partial class HnswlibNative
{
    internal const string LibraryName = "hnswlib_c";

    /// <summary>NH_HNSW_OK.</summary>
    public const int Ok = 0;

    /// <summary>NH_HNSW_INVALID_ARGUMENT.</summary>
    public const int InvalidArgument = -1;

    /// <summary>NH_HNSW_RUNTIME_ERROR.</summary>
    public const int RuntimeError = -2;

    /// <summary>NH_HNSW_OUT_OF_MEMORY.</summary>
    public const int OutOfMemory = -3;

    /// <summary>NH_HNSW_STD_EXCEPTION.</summary>
    public const int StdException = -4;

    /// <summary>NH_HNSW_UNKNOWN_EXCEPTION.</summary>
    public const int UnknownException = -5;

    /// <summary>NH_HNSW_SPACE_L2: squared Euclidean distance.</summary>
    public const int SpaceL2 = 0;

    /// <summary>NH_HNSW_SPACE_IP: 1 − dot.</summary>
    public const int SpaceInnerProduct = 1;

    static HnswlibNative() => NativeLibraries.RegisterResolver();

    [LibraryImport(LibraryName)]
    internal static partial int nh_hnsw_create(int space, int dim, int m, int ef_construction, ulong seed, long initial_capacity, out nint index);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nh_hnsw_load(int space, int dim, string path, out nint index);

    [LibraryImport(LibraryName)]
    internal static partial void nh_hnsw_free(nint index);

    [LibraryImport(LibraryName)]
    internal static partial int nh_hnsw_add_batch(nint index, long n, long* labels, float* vectors, int num_threads);

    [LibraryImport(LibraryName)]
    internal static partial int nh_hnsw_set_ef(nint index, int ef);

    [LibraryImport(LibraryName)]
    internal static partial int nh_hnsw_search(nint index, float* query, int k, long* labels, float* distances, out int found);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nh_hnsw_save(nint index, string path);

    [LibraryImport(LibraryName)]
    internal static partial long nh_hnsw_count(nint index);

    [LibraryImport(LibraryName)]
    internal static partial int nh_hnsw_dim(nint index);

    [LibraryImport(LibraryName)]
    internal static partial long nh_hnsw_memory_bytes(nint index);

    [LibraryImport(LibraryName)]
    internal static partial long nh_hnsw_live_indexes();

    [LibraryImport(LibraryName)]
    internal static partial nint nh_hnsw_last_error();

    /// <summary>Turns a non-zero status into an <see cref="HnswlibException"/> carrying the native message.</summary>
    internal static void Check(int status, string function)
    {
        if (status != Ok)
            Throw(status, function);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(int status, string function)
    {
        string? message = Marshal.PtrToStringUTF8(nh_hnsw_last_error());
        throw new HnswlibException(function, status, message ?? "(hnswlib gave no message)");
    }
}

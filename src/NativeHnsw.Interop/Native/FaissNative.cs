using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// FAISS's C API (<c>libfaiss_c.so</c>), the functions NativeHnsw calls, with FAISS's own names and signatures
/// (faiss/c_api/*.h of FAISS 1.7.3), plus NativeHnsw's <c>nh_faiss_</c> additions (native/faiss_c/nh_faiss_ext.h).
/// </summary>
/// <remarks>
/// <para>Status codes (FaissErrorCode, error_c.h): 0 OK; -1 UNKNOWN_EXCEPT (anything not a C++ exception FAISS knows);
/// -2 FAISS_EXCEPT (faiss::FaissException: a failed FAISS precondition, an unreadable file); -4 STD_EXCEPT (any other
/// std::exception, e.g. bad_alloc). After a failure, <see cref="faiss_get_last_error"/> returns the calling thread's
/// message, valid until that thread's next FAISS call.</para>
/// <para>The <c>nh_faiss_</c> functions exist only in NativeHnsw's build of the library; a real FAISS build lacks them,
/// so call them only when <see cref="NativeLibraryStatus.HasNativeHnswExtensions"/> is true.</para>
/// <para>Index and parameter-space pointers are passed raw: callers hold them through
/// <see cref="SafeHandleLease"/>, so one AddRef covers a whole operation of several calls.</para>
/// </remarks>
internal static unsafe partial class FaissNative
{
    internal const string LibraryName = "faiss_c";

    /// <summary>OK.</summary>
    public const int Ok = 0;

    /// <summary>UNKNOWN_EXCEPT.</summary>
    public const int UnknownExcept = -1;

    /// <summary>FAISS_EXCEPT.</summary>
    public const int FaissExcept = -2;

    /// <summary>STD_EXCEPT.</summary>
    public const int StdExcept = -4;

    /// <summary>FaissMetricType METRIC_INNER_PRODUCT: maximum inner product search (distances returned are dot products).</summary>
    public const int MetricInnerProduct = 0;

    /// <summary>FaissMetricType METRIC_L2: squared L2 search.</summary>
    public const int MetricL2 = 1;

    static FaissNative() => NativeLibraries.RegisterResolver();

    [LibraryImport(LibraryName)]
    internal static partial nint faiss_get_last_error();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int faiss_index_factory(out nint p_index, int d, string description, int metric);

    [LibraryImport(LibraryName)]
    internal static partial void faiss_Index_free(nint index);

    [LibraryImport(LibraryName)]
    internal static partial int faiss_Index_d(nint index);

    [LibraryImport(LibraryName)]
    internal static partial long faiss_Index_ntotal(nint index);

    [LibraryImport(LibraryName)]
    internal static partial int faiss_Index_metric_type(nint index);

    [LibraryImport(LibraryName)]
    internal static partial int faiss_Index_add_with_ids(nint index, long n, float* x, long* xids);

    [LibraryImport(LibraryName)]
    internal static partial int faiss_Index_search(nint index, long n, float* x, long k, float* distances, long* labels);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int faiss_write_index_fname(nint index, string fname);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int faiss_read_index_fname(string fname, int io_flags, out nint p_out);

    [LibraryImport(LibraryName)]
    internal static partial int faiss_ParameterSpace_new(out nint space);

    [LibraryImport(LibraryName)]
    internal static partial void faiss_ParameterSpace_free(nint space);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int faiss_ParameterSpace_set_index_parameter(nint space, nint index, string name, double value);

    // ---- NativeHnsw's additions (nh_faiss_ext.h) ----

    [LibraryImport(LibraryName)]
    internal static partial int nh_faiss_version(out int major, out int minor, out int patch);

    [LibraryImport(LibraryName)]
    internal static partial int nh_faiss_hnsw_configure_build(nint index, int ef_construction, long seed);

    [LibraryImport(LibraryName)]
    internal static partial int nh_faiss_hnsw_get_ef(nint index, out int ef_search, out int ef_construction);

    [LibraryImport(LibraryName)]
    internal static partial int nh_faiss_memory_bytes(nint index, out long bytes);

    [LibraryImport(LibraryName)]
    internal static partial long nh_faiss_live_indexes();

    [LibraryImport(LibraryName)]
    internal static partial void nh_faiss_omp_set_num_threads(int n);

    [LibraryImport(LibraryName)]
    internal static partial int nh_faiss_omp_get_max_threads();

    /// <summary>Turns a non-zero status into a <see cref="FaissException"/> carrying FAISS's own message.</summary>
    internal static void Check(int status, string function)
    {
        if (status != Ok)
            Throw(status, function);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(int status, string function)
    {
        string? message = Marshal.PtrToStringUTF8(faiss_get_last_error());
        throw new FaissException(function, status, message ?? "(FAISS gave no message)");
    }
}

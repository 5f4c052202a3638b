using System.Reflection;
using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// The native libraries and the <see cref="DllImportResolver"/> that hands the runtime the handles
/// <see cref="NativeLibraryLocator"/> found. Each library is located once per process, on first use.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Names a libfaiss_c.so to use before any other (a real FAISS build works: the C API names are FAISS's).</summary>
    public const string FaissEnvironmentVariable = "NATIVEHNSW_FAISS_C_LIBRARY";

    /// <summary>Names a libhnswlib_c.so to use before any other.</summary>
    public const string HnswlibEnvironmentVariable = "NATIVEHNSW_HNSWLIB_C_LIBRARY";

    /// <summary>Names a libusearch_c.so to use before any other.</summary>
    public const string UsearchEnvironmentVariable = "NATIVEHNSW_USEARCH_C_LIBRARY";

    public static readonly NativeLibrarySpec FaissSpec = new(
        FaissNative.LibraryName, FaissEnvironmentVariable, "faiss_Index_search", "nh_faiss_version",
        NativeLibrarySpec.BuiltFrom("libfaiss-dev libopenblas-dev"));

    public static readonly NativeLibrarySpec HnswlibSpec = new(
        HnswlibNative.LibraryName, HnswlibEnvironmentVariable, "nh_hnsw_search", "nh_hnsw_create",
        NativeLibrarySpec.BuiltFrom("libhnswlib-dev"));

    /// <summary>USearch's own build from its NuGet package; it needs libgomp.so.1 (Debian's libgomp1) at load time.</summary>
    public static readonly NativeLibrarySpec UsearchSpec = new(
        UsearchNative.LibraryName, UsearchEnvironmentVariable, "usearch_filtered_search", ExtensionExport: null,
        "restore the Cloud.Unum.USearch NuGet package (`dotnet build` copies its runtimes/RID/native/libusearch_c.so " +
        "next to the application) and apt-get install libgomp1");

    private static readonly Lazy<NativeLibraryLocator.Result> s_faiss = new(() => Locate(FaissSpec));
    private static readonly Lazy<NativeLibraryLocator.Result> s_hnswlib = new(() => Locate(HnswlibSpec));
    private static readonly Lazy<NativeLibraryLocator.Result> s_usearch = new(() => Locate(UsearchSpec));
    private static int s_resolverRegistered;

    public static NativeLibraryStatus Faiss => s_faiss.Value.Status;

    public static NativeLibraryStatus Hnswlib => s_hnswlib.Value.Status;

    public static NativeLibraryStatus Usearch => s_usearch.Value.Status;

    /// <summary>Idempotent; called by the static constructors of the classes that declare the imports.</summary>
    public static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref s_resolverRegistered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Throws <see cref="NativeEngineUnavailableException"/> with the locator's reason when a library is missing.</summary>
    public static void EnsureAvailable(NativeLibraryStatus status, string engine)
    {
        if (!status.IsAvailable)
            throw new NativeEngineUnavailableException(engine, status);
    }

    private static NativeLibraryLocator.Result Locate(NativeLibrarySpec spec) =>
        NativeLibraryLocator.Locate(spec, Environment.GetEnvironmentVariable, AppContext.BaseDirectory);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        // 0 hands the name back to the runtime's default probing, whose DllNotFoundException is the fallback error;
        // the engines never get that far, they check availability first.
        FaissNative.LibraryName => s_faiss.Value.Handle,
        HnswlibNative.LibraryName => s_hnswlib.Value.Handle,
        UsearchNative.LibraryName => s_usearch.Value.Handle,
        _ => 0,
    };
}

using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>
/// Creates and loads one kind of <see cref="IVectorEngine"/>, and says whether it can: the harness iterates
/// <see cref="All"/> and skips, with <see cref="UnavailableReason"/>, the engines whose library is missing.
/// </summary>
public sealed class VectorEngineFactory
{
    private readonly Func<HnswOptions, IVectorEngine> _create;
    private readonly Func<string, HnswOptions, IVectorEngine>? _load;
    private readonly Func<NativeLibraryStatus>? _library;

    private VectorEngineFactory(
        string name, Func<HnswOptions, IVectorEngine> create, Func<string, HnswOptions, IVectorEngine>? load, Func<NativeLibraryStatus>? library)
    {
        Name = name;
        _create = create;
        _load = load;
        _library = library;
    }

    /// <summary>Our index; Load reads the whole file (see <see cref="HnswIndexEngine.Open"/> for the mapped form).</summary>
    public static VectorEngineFactory NativeHnsw { get; } = new(HnswIndexEngine.EngineName, HnswIndexEngine.Create, HnswIndexEngine.Load, library: null);

    /// <summary>Our index searching int8 rows with float32 re-ranking; the file keeps the quantization, so Load reads it back as such.</summary>
    public static VectorEngineFactory NativeHnswInt8 { get; } = new(
        HnswIndexEngine.Int8EngineName, o => HnswIndexEngine.Create(o, VectorQuantization.Int8), HnswIndexEngine.Load, library: null);

    /// <summary>Our index searching float16 rows with float32 re-ranking.</summary>
    public static VectorEngineFactory NativeHnswFloat16 { get; } = new(
        HnswIndexEngine.Float16EngineName, o => HnswIndexEngine.Create(o, VectorQuantization.Float16), HnswIndexEngine.Load, library: null);

    /// <summary>FAISS IndexHNSWFlat through libfaiss_c.so.</summary>
    public static VectorEngineFactory Faiss { get; } = new(FaissEngine.EngineName, FaissEngine.Create, FaissEngine.Load, () => NativeLibraries.Faiss);

    /// <summary>hnswlib through libhnswlib_c.so.</summary>
    public static VectorEngineFactory Hnswlib { get; } = new(HnswlibEngine.EngineName, HnswlibEngine.Create, HnswlibEngine.Load, () => NativeLibraries.Hnswlib);

    /// <summary>USearch's dense index through its C API (libusearch_c.so), vectors stored as f32.</summary>
    public static VectorEngineFactory Usearch { get; } = new(UsearchEngine.EngineName, UsearchEngine.Create, UsearchEngine.Load, () => NativeLibraries.Usearch);

    /// <summary>USearch's dense index stored as f16.</summary>
    public static VectorEngineFactory UsearchF16 { get; } = new(
        UsearchEngine.NameOf(UsearchScalar.Float16), o => UsearchEngine.Create(o, UsearchScalar.Float16), UsearchEngine.Load, () => NativeLibraries.Usearch);

    /// <summary>USearch's dense index stored as i8 (cosine only).</summary>
    public static VectorEngineFactory UsearchI8 { get; } = new(
        UsearchEngine.NameOf(UsearchScalar.Int8), o => UsearchEngine.Create(o, UsearchScalar.Int8), UsearchEngine.Load, () => NativeLibraries.Usearch);

    /// <summary>USearch through the package's C# wrapper, as a .NET user gets it by default (one ef: see <see cref="UsearchWrapperEngine"/>).</summary>
    public static VectorEngineFactory UsearchWrapper { get; } = new(
        UsearchWrapperEngine.EngineName, UsearchWrapperEngine.Create, UsearchWrapperEngine.Load, () => NativeLibraries.Usearch);

    /// <summary>Ours first, then the native baselines.</summary>
    public static IReadOnlyList<VectorEngineFactory> All { get; } = [NativeHnsw, NativeHnswInt8, NativeHnswFloat16, Faiss, Hnswlib, Usearch, UsearchF16, UsearchI8, UsearchWrapper];

    public string Name { get; }

    /// <summary>The native library behind the engine; null for our managed index.</summary>
    public NativeLibraryStatus? Library => _library?.Invoke();

    public bool IsAvailable => Library?.IsAvailable ?? true;

    /// <summary>Which file is missing and where it was searched, when <see cref="IsAvailable"/> is false.</summary>
    public string? UnavailableReason => Library?.Reason;

    public bool SupportsPersistence => _load is not null;

    public IVectorEngine Create(HnswOptions options) => _create(options);

    /// <exception cref="NotSupportedException">When <see cref="SupportsPersistence"/> is false.</exception>
    public IVectorEngine Load(string path, HnswOptions options) =>
        _load is not null ? _load(path, options) : throw new NotSupportedException($"{Name} cannot load an index yet.");

    public override string ToString() => Name;
}

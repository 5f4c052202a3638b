using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>
/// FAISS's IndexHNSWFlat through its C API (<c>libfaiss_c.so</c>), built with the index factory as
/// <c>"IDMap,HNSW{M},Flat"</c> so that our labels are FAISS ids.
/// </summary>
/// <remarks>
/// <para>Metrics: L2 → METRIC_L2 (squared distances, as ours); InnerProduct → METRIC_INNER_PRODUCT, FAISS's similarity s
/// reported as 1 − s; Cosine → normalised copies of vectors and queries + METRIC_INNER_PRODUCT, reported as 1 − s.</para>
/// <para>efConstruction and the seed of the level draw are set before the first add through NativeHnsw's
/// <c>nh_faiss_hnsw_configure_build</c>: FAISS 1.7.3's C API cannot set them. Against a real FAISS libfaiss_c.so
/// (without our additions) only FAISS's default efConstruction, 40, can be honoured; other values throw.</para>
/// <para>efSearch is set on the index through <c>faiss_ParameterSpace_set_index_parameter</c> whenever a search asks
/// for a different one (the 1.7.3 C API has no per-call search parameters), so concurrent searches must share ef.</para>
/// <para>Threads: FAISS parallelises with OpenMP, whose thread count is a per-thread setting. AddBatch sets it on the
/// calling thread from maxDegreeOfParallelism; Search sets 1 on its thread, because one query cannot use more and
/// FAISS 1.7.3 allocates a visited table of ntotal bytes on every OpenMP thread of every search call.</para>
/// </remarks>
public sealed unsafe class FaissEngine : IVectorEngine, INativeIndexCalls
{
    public const string EngineName = "FAISS";

    /// <summary>HNSW::efConstruction's default in FAISS 1.7.3.</summary>
    public const int FaissDefaultEfConstruction = 40;

    /// <summary>The OpenMP thread count last set on this thread (0: not set by us). OpenMP's setting is per thread.</summary>
    [ThreadStatic]
    private static int s_ompThreadsOfThisThread;

    private readonly FaissIndexHandle _index;
    private readonly FaissParameterSpaceHandle _parameters;
    private readonly HnswOptions _options;
    private readonly bool _extensions;
    private int _efSearch;

    private FaissEngine(FaissIndexHandle index, HnswOptions options)
    {
        try
        {
            _parameters = FaissParameterSpaceHandle.Create();
        }
        catch
        {
            index.Dispose();
            throw;
        }
        _index = index;
        _options = options;
        _extensions = NativeLibraries.Faiss.HasNativeHnswExtensions;
    }

    /// <summary>Where libfaiss_c.so was loaded from, or why it could not be.</summary>
    public static NativeLibraryStatus Library => NativeLibraries.Faiss;

    public static bool IsAvailable => Library.IsAvailable;

    public string Name => EngineName;

    public int Dimensions => _options.Dimensions;

    public DistanceMetric Metric => _options.Metric;

    public bool SupportsPersistence => true;

    public long Count
    {
        get
        {
            using var index = _index.Acquire();
            return FaissNative.faiss_Index_ntotal(index.Pointer);
        }
    }

    public long? MemoryBytes
    {
        get
        {
            if (!_extensions)
                return null;
            using var index = _index.Acquire();
            FaissNative.Check(FaissNative.nh_faiss_memory_bytes(index.Pointer, out long bytes), nameof(FaissNative.nh_faiss_memory_bytes));
            return bytes;
        }
    }

    /// <summary>(efSearch, efConstruction) as the FAISS index holds them; null without NativeHnsw's extensions.</summary>
    public (int EfSearch, int EfConstruction)? HnswParameters
    {
        get
        {
            if (!_extensions)
                return null;
            using var index = _index.Acquire();
            FaissNative.Check(FaissNative.nh_faiss_hnsw_get_ef(index.Pointer, out int efSearch, out int efConstruction), nameof(FaissNative.nh_faiss_hnsw_get_ef));
            return (efSearch, efConstruction);
        }
    }

    public static FaissEngine Create(HnswOptions options)
    {
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        bool extensions = Library.HasNativeHnswExtensions;
        if (!extensions && options.EfConstruction != FaissDefaultEfConstruction)
            throw new NotSupportedException(
                $"The libfaiss_c.so loaded from {Library.LoadedFrom} is not NativeHnsw's build, and FAISS's C API cannot set " +
                $"efConstruction: use EfConstruction = {FaissDefaultEfConstruction} or NativeHnsw's native/ build.");

        var handle = FaissIndexHandle.Create(options.Dimensions, $"IDMap,HNSW{options.M},Flat", FaissMetric(options.Metric));
        var engine = new FaissEngine(handle, options);
        if (!extensions)
            return engine;
        try
        {
            using var index = handle.Acquire();
            FaissNative.Check(
                FaissNative.nh_faiss_hnsw_configure_build(index.Pointer, options.EfConstruction, unchecked((long)options.Seed)),
                nameof(FaissNative.nh_faiss_hnsw_configure_build));
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/>. <paramref name="options"/> must match the file's dimension and
    /// metric; it also says whether inner product means cosine (the file cannot tell) and supplies DefaultEf.
    /// </summary>
    public static FaissEngine Load(string path, HnswOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        var handle = FaissIndexHandle.Read(path);
        try
        {
            using (var index = handle.Acquire())
            {
                int dimensions = FaissNative.faiss_Index_d(index.Pointer);
                if (dimensions != options.Dimensions)
                    throw new ArgumentException($"{path} holds a {dimensions}-dimensional FAISS index; the options say {options.Dimensions}.", nameof(options));
                int metric = FaissNative.faiss_Index_metric_type(index.Pointer);
                if (metric != FaissMetric(options.Metric))
                    throw new ArgumentException($"{path} holds a FAISS index of metric type {metric}, which does not serve {options.Metric}.", nameof(options));
            }
            return new FaissEngine(handle, options);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1) =>
        NativeIndexOperations.AddBatch(this, _index, labels, vectors, maxDegreeOfParallelism);

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0) =>
        NativeIndexOperations.Search(this, _index, query, destination, ef);

    int INativeIndexCalls.DefaultEf => _options.DefaultEf;

    void INativeIndexCalls.AddRows(nint index, int count, float* rows, long* labels, int threads)
    {
        SetOmpThreads(threads);
        FaissNative.Check(FaissNative.faiss_Index_add_with_ids(index, count, rows, labels), nameof(FaissNative.faiss_Index_add_with_ids));
    }

    int INativeIndexCalls.SearchOne(nint index, int ef, float* query, int k, float* distances, long* labels)
    {
        SetEfSearch(index, ef);
        SetOmpThreads(1);
        FaissNative.Check(FaissNative.faiss_Index_search(index, 1, query, k, distances, labels), nameof(FaissNative.faiss_Index_search));

        // FAISS pads a short result with id −1; hits come closest first. Its inner product is a similarity.
        bool similarity = Metric != DistanceMetric.L2;
        int found = 0;
        while (found < k && labels[found] >= 0)
        {
            if (similarity)
                distances[found] = 1f - distances[found];
            found++;
        }
        return found;
    }

    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var index = _index.Acquire();
        FaissNative.Check(FaissNative.faiss_write_index_fname(index.Pointer, path), nameof(FaissNative.faiss_write_index_fname));
    }

    /// <summary>Indexes NativeHnsw's libfaiss_c.so has created and not yet freed, process-wide; null for a real FAISS build.</summary>
    public static long? LiveNativeIndexes =>
        IsAvailable && Library.HasNativeHnswExtensions ? FaissNative.nh_faiss_live_indexes() : null;

    public void Dispose()
    {
        _parameters.Dispose();
        _index.Dispose();
    }

    private static int FaissMetric(DistanceMetric metric) =>
        metric == DistanceMetric.L2 ? FaissNative.MetricL2 : FaissNative.MetricInnerProduct;

    private void SetEfSearch(nint index, int ef)
    {
        if (Volatile.Read(ref _efSearch) == ef)
            return;
        using var parameters = _parameters.Acquire();
        FaissNative.Check(
            FaissNative.faiss_ParameterSpace_set_index_parameter(parameters.Pointer, index, "efSearch", ef),
            nameof(FaissNative.faiss_ParameterSpace_set_index_parameter));
        Volatile.Write(ref _efSearch, ef);
    }

    /// <summary>Without NativeHnsw's extensions, OpenMP's own default (OMP_NUM_THREADS, else all cores) applies.</summary>
    private void SetOmpThreads(int threads)
    {
        if (!_extensions || s_ompThreadsOfThisThread == threads)
            return;
        FaissNative.nh_faiss_omp_set_num_threads(threads);
        s_ompThreadsOfThisThread = threads;
    }
}

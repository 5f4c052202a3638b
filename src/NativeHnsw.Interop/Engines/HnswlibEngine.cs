using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>
/// hnswlib 0.6.2's HierarchicalNSW&lt;float&gt; through NativeHnsw's C ABI (<c>libhnswlib_c.so</c>).
/// </summary>
/// <remarks>
/// <para>Metrics: L2 → L2Space (squared distances); InnerProduct → InnerProductSpace (1 − a·b); Cosine → normalised
/// copies of vectors and queries in InnerProductSpace (1 − cos), as hnswlib's own Python binding does.</para>
/// <para>AddBatch runs hnswlib's addPoint on maxDegreeOfParallelism threads, as the Python binding's ParallelFor does;
/// the capacity (hnswlib's max_elements) starts at InitialCapacity and doubles on demand.</para>
/// <para>ef lives in the index (hnswlib's setEf): a search with a different ef sets it first, so concurrent searches
/// must share ef.</para>
/// </remarks>
public sealed unsafe class HnswlibEngine : IVectorEngine, INativeIndexCalls
{
    public const string EngineName = "hnswlib";

    private readonly HnswlibIndexHandle _index;
    private readonly HnswOptions _options;
    private int _ef;

    private HnswlibEngine(HnswlibIndexHandle index, HnswOptions options)
    {
        _index = index;
        _options = options;
    }

    /// <summary>Where libhnswlib_c.so was loaded from, or why it could not be.</summary>
    public static NativeLibraryStatus Library => NativeLibraries.Hnswlib;

    public static bool IsAvailable => Library.IsAvailable;

    /// <summary>Indexes created or loaded and not yet freed, process-wide (a native counter).</summary>
    public static long LiveNativeIndexes
    {
        get
        {
            NativeLibraries.EnsureAvailable(Library, EngineName);
            return HnswlibNative.nh_hnsw_live_indexes();
        }
    }

    public string Name => EngineName;

    public int Dimensions => _options.Dimensions;

    public DistanceMetric Metric => _options.Metric;

    public bool SupportsPersistence => true;

    public long Count
    {
        get
        {
            using var index = _index.Acquire();
            return HnswlibNative.nh_hnsw_count(index.Pointer);
        }
    }

    public long? MemoryBytes
    {
        get
        {
            using var index = _index.Acquire();
            return HnswlibNative.nh_hnsw_memory_bytes(index.Pointer);
        }
    }

    public static HnswlibEngine Create(HnswOptions options)
    {
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        var handle = HnswlibIndexHandle.Create(
            Space(options.Metric), options.Dimensions, options.M, options.EfConstruction, options.Seed, options.InitialCapacity);
        return new HnswlibEngine(handle, options);
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/>. hnswlib's file records neither the space nor the dimension, so
    /// <paramref name="options"/> must give the ones it was built with; a dimension that does not fit the file throws.
    /// </summary>
    public static HnswlibEngine Load(string path, HnswOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        var handle = HnswlibIndexHandle.Load(Space(options.Metric), options.Dimensions, path);
        return new HnswlibEngine(handle, options);
    }

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1) =>
        NativeIndexOperations.AddBatch(this, _index, labels, vectors, maxDegreeOfParallelism);

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0) =>
        NativeIndexOperations.Search(this, _index, query, destination, ef);

    int INativeIndexCalls.DefaultEf => _options.DefaultEf;

    void INativeIndexCalls.AddRows(nint index, int count, float* rows, long* labels, int threads) =>
        HnswlibNative.Check(HnswlibNative.nh_hnsw_add_batch(index, count, labels, rows, threads), nameof(HnswlibNative.nh_hnsw_add_batch));

    int INativeIndexCalls.SearchOne(nint index, int ef, float* query, int k, float* distances, long* labels)
    {
        if (Volatile.Read(ref _ef) != ef)
        {
            HnswlibNative.Check(HnswlibNative.nh_hnsw_set_ef(index, ef), nameof(HnswlibNative.nh_hnsw_set_ef));
            Volatile.Write(ref _ef, ef);
        }
        HnswlibNative.Check(HnswlibNative.nh_hnsw_search(index, query, k, labels, distances, out int found), nameof(HnswlibNative.nh_hnsw_search));
        return found;
    }

    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var index = _index.Acquire();
        HnswlibNative.Check(HnswlibNative.nh_hnsw_save(index.Pointer, path), nameof(HnswlibNative.nh_hnsw_save));
    }

    public void Dispose() => _index.Dispose();

    private static int Space(DistanceMetric metric) =>
        metric == DistanceMetric.L2 ? HnswlibNative.SpaceL2 : HnswlibNative.SpaceInnerProduct;
}

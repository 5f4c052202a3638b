using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>
/// USearch 2.26's dense HNSW index through its own C API (<c>libusearch_c.so</c>, from the Cloud.Unum.USearch NuGet
/// package), rather than the package's C# wrapper: the C API sets the search expansion, the thread contexts and a
/// filter, and searches into buffers we own (<see cref="UsearchWrapperEngine"/> measures the wrapper).
/// </summary>
/// <remarks>
/// <para>Metrics are USearch's own, all smaller-is-closer as ours: L2 → l2sq (squared), InnerProduct → ip (1 − a·b),
/// Cosine → cos (1 − cos, USearch normalises itself, so no copy is made). Vectors are passed as f32 and stored as
/// <see cref="Scalar"/>.</para>
/// <para>M is USearch's connectivity, EfConstruction its expansion_add, ef its expansion_search. Like hnswlib's, the
/// expansion lives in the index (the 2.26 C API has no per-call ef): a search with a different ef sets it first, so
/// concurrent searches must share ef. USearch draws levels from its own generator: <see cref="HnswOptions.Seed"/> is
/// not honoured.</para>
/// <para>Threads: USearch keeps a fixed pool of thread contexts and fails a call that finds it empty, so every add and
/// search holds one of as many semaphore permits as contexts were reserved (the processor count, or more when an
/// AddBatch asks for more). Growing the capacity takes every permit, because <c>usearch_reserve</c> may not run beside
/// other calls.</para>
/// <para>Keys are our labels reinterpreted as unsigned; −1 (USearch's free key) is refused. Re-adding a label is an
/// error (USearch's, not a replacement). <see cref="Save"/> writes USearch's file with fopen/fwrite and no fsync.</para>
/// </remarks>
public sealed unsafe class UsearchEngine : IVectorEngine
{
    public const string EngineName = "USearch";

    /// <summary>The label USearch reserves as its free key (ulong.MaxValue).</summary>
    public const long ReservedLabel = -1;

    private readonly UsearchIndexHandle _index;
    private readonly HnswOptions _options;
    private readonly SemaphoreSlim _gate;
    private readonly Lock _exclusive = new();
    private readonly bool _view;
    private int _contexts;
    private int _ef;

    /// <summary>Vectors every AddBatch so far asked room for: concurrent batches reserve for each other, not only for themselves.</summary>
    private long _claimed;

    private UsearchEngine(UsearchIndexHandle index, HnswOptions options, UsearchScalar scalar, bool view)
    {
        _index = index;
        _options = options;
        Scalar = scalar;
        _view = view;
        _contexts = Math.Max(1, Environment.ProcessorCount);
        // Not disposed: it owns no wait handle (AvailableWaitHandle is never read), and a search racing Dispose must
        // meet ObjectDisposedException from the index handle, not from the gate.
        _gate = new SemaphoreSlim(_contexts);
    }

    /// <summary>Where libusearch_c.so was loaded from, or why it could not be.</summary>
    public static NativeLibraryStatus Library => NativeLibraries.Usearch;

    public static bool IsAvailable => Library.IsAvailable;

    /// <summary>USearch indexes created or opened through this class and not yet freed, process-wide.</summary>
    public static long LiveNativeIndexes => UsearchIndexHandle.Live;

    /// <summary>The library's version, e.g. "2.26.6".</summary>
    public static string Version
    {
        get
        {
            NativeLibraries.EnsureAvailable(Library, EngineName);
            return Marshal.PtrToStringUTF8(UsearchNative.usearch_version()) ?? "?";
        }
    }

    /// <summary>"USearch" for f32, "USearch-f16", "USearch-i8".</summary>
    public string Name => NameOf(Scalar);

    public UsearchScalar Scalar { get; }

    public int Dimensions => _options.Dimensions;

    public DistanceMetric Metric => _options.Metric;

    public bool SupportsPersistence => true;

    /// <summary>True for an index opened with <see cref="View"/>: searched in place from the mapped file, read-only.</summary>
    public bool IsView => _view;

    public long Count => (long)Query(&UsearchNative.usearch_size, nameof(UsearchNative.usearch_size));

    /// <summary><c>usearch_memory_usage</c>: what the index allocated (for a view, without the mapped file).</summary>
    public long? MemoryBytes => (long)Query(&UsearchNative.usearch_memory_usage, nameof(UsearchNative.usearch_memory_usage));

    /// <summary>The SIMD kernel family USearch picked for this index on this CPU, e.g. "haswell" or "skylake".</summary>
    public string HardwareAcceleration
    {
        get
        {
            using var index = _index.Acquire();
            nint error = 0;
            nint name = UsearchNative.usearch_hardware_acceleration(index.Pointer, &error);
            UsearchNative.Check(error, nameof(UsearchNative.usearch_hardware_acceleration));
            return Marshal.PtrToStringUTF8(name) ?? "?";
        }
    }

    public static string NameOf(UsearchScalar scalar) => scalar switch
    {
        UsearchScalar.Float32 => EngineName,
        UsearchScalar.Float16 => EngineName + "-f16",
        UsearchScalar.Int8 => EngineName + "-i8",
        _ => throw new ArgumentOutOfRangeException(nameof(scalar), scalar, "Unknown USearch scalar kind."),
    };

    public static UsearchEngine Create(HnswOptions options) => Create(options, UsearchScalar.Float32);

    public static UsearchEngine Create(HnswOptions options, UsearchScalar scalar)
    {
        EngineInput.Validate(options);
        CheckScalar(options.Metric, scalar);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        var handle = UsearchIndexHandle.Create(new UsearchNative.InitOptions
        {
            MetricKind = MetricKind(options.Metric),
            Quantization = ScalarKind(scalar),
            Dimensions = (nuint)options.Dimensions,
            Connectivity = (nuint)options.M,
            ExpansionAdd = (nuint)options.EfConstruction,
            ExpansionSearch = (nuint)options.DefaultEf,
        });
        var engine = new UsearchEngine(handle, options, scalar, view: false);
        try
        {
            engine.Reserve(Math.Max(options.InitialCapacity, 1), engine._contexts);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>Reads a file written by <see cref="Save"/> into memory (<c>usearch_load</c>).</summary>
    /// <exception cref="ArgumentException">The file's dimension or metric is not that of <paramref name="options"/>.</exception>
    public static UsearchEngine Load(string path, HnswOptions options) => Open(path, options, view: false);

    /// <summary>
    /// Opens a file written by <see cref="Save"/> memory-mapped and searches it in place (<c>usearch_view</c>); the
    /// index is read-only and the file must outlive it.
    /// </summary>
    public static UsearchEngine View(string path, HnswOptions options) => Open(path, options, view: true);

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1)
    {
        EngineInput.CheckBatch(labels, vectors, Dimensions);
        if (_view)
            throw new InvalidOperationException($"{Name}: an index opened with View is read-only; Load it to add vectors.");
        if (labels.Span.Contains(ReservedLabel))
            throw new ArgumentException($"Label {ReservedLabel} is USearch's reserved free key and cannot be stored.", nameof(labels));
        if (labels.IsEmpty)
            return;
        if (Metric == DistanceMetric.Cosine)
            EngineInput.CheckNoZeroRow(vectors.Span, Dimensions, nameof(vectors));
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        threads = Math.Min(threads, labels.Length);
        long needed = Interlocked.Add(ref _claimed, labels.Length);
        long capacity = (long)Query(&UsearchNative.usearch_capacity, nameof(UsearchNative.usearch_capacity));
        if (needed > capacity || threads > Volatile.Read(ref _contexts))
            Reserve(needed > capacity ? Math.Max(needed, capacity * 2) : capacity, threads);

        using var labelPin = labels.Pin();
        using var vectorPin = vectors.Pin();
        var keys = (ulong*)labelPin.Pointer;
        var rows = (float*)vectorPin.Pointer;
        if (threads == 1)
        {
            _gate.Wait();
            try
            {
                AddRange(keys, rows, 0, labels.Length);
            }
            finally
            {
                _gate.Release();
            }
            return;
        }
        // Each worker holds one context for its whole share; rows are handed out in small chunks for balance.
        int next = 0;
        int count = labels.Length;
        const int Chunk = 64;
        var workers = new Task[threads];
        for (int w = 0; w < threads; w++)
        {
            workers[w] = Task.Factory.StartNew(() =>
            {
                _gate.Wait();
                try
                {
                    for (int start; (start = Interlocked.Add(ref next, Chunk) - Chunk) < count;)
                        AddRange(keys, rows, start, Math.Min(count, start + Chunk));
                }
                finally
                {
                    _gate.Release();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0) =>
        SearchCore(query, destination, ef, filter: null);

    /// <summary>
    /// Like <see cref="Search(ReadOnlySpan{float}, Span{SearchResult}, int)"/>, returning only labels for which
    /// <paramref name="filter"/> is true (USearch's <c>usearch_filtered_search</c>: the filter runs inside the graph
    /// walk). An exception the filter throws ends the search and is rethrown here.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, Func<long, bool> filter, int ef = 0)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return SearchCore(query, destination, ef, filter);
    }

    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using (Exclusive())
        {
            using var index = _index.Acquire();
            nint error = 0;
            UsearchNative.usearch_save(index.Pointer, path, &error);
            UsearchNative.Check(error, nameof(UsearchNative.usearch_save));
        }
    }

    public void Dispose() => _index.Dispose();

    private int SearchCore(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef, Func<long, bool>? filter)
    {
        EngineInput.CheckQuery(query, Dimensions);
        int k = destination.Length;
        if (k == 0)
            return 0;
        if (Metric == DistanceMetric.Cosine)
            EngineInput.CheckNoZeroRow(query, Dimensions, nameof(query));
        ef = Math.Max(ef > 0 ? ef : _options.DefaultEf, k);

        var scratch = SearchScratch.For(Dimensions, k);
        var distances = scratch.Distances(k);
        var keys = MemoryMarshal.Cast<long, ulong>(scratch.Labels(k));
        nuint found;
        _gate.Wait();
        try
        {
            using var index = _index.Acquire();
            nint error = 0;
            if (Volatile.Read(ref _ef) != ef)
            {
                UsearchNative.usearch_change_expansion_search(index.Pointer, (nuint)ef, &error);
                UsearchNative.Check(error, nameof(UsearchNative.usearch_change_expansion_search));
                Volatile.Write(ref _ef, ef);
            }
            fixed (float* q = query)
            fixed (float* d = distances)
            fixed (ulong* l = keys)
            {
                if (filter is null)
                {
                    found = UsearchNative.usearch_search(index.Pointer, q, UsearchNative.ScalarF32, (nuint)k, l, d, &error);
                    UsearchNative.Check(error, nameof(UsearchNative.usearch_search));
                }
                else
                {
                    var state = new FilterState(filter);
                    var gcHandle = GCHandle.Alloc(state);
                    try
                    {
                        found = UsearchNative.usearch_filtered_search(
                            index.Pointer, q, UsearchNative.ScalarF32, (nuint)k, &FilterCallback, (void*)GCHandle.ToIntPtr(gcHandle), l, d, &error);
                    }
                    finally
                    {
                        gcHandle.Free();
                    }
                    if (state.Error is not null)
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(state.Error).Throw();
                    UsearchNative.Check(error, nameof(UsearchNative.usearch_filtered_search));
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        int n = (int)Math.Min(found, (nuint)k);
        for (int i = 0; i < n; i++)
            destination[i] = new SearchResult((long)keys[i], distances[i]);
        return n;
    }

    private void AddRange(ulong* keys, float* rows, int start, int end)
    {
        using var index = _index.Acquire();
        for (int i = start; i < end; i++)
        {
            nint error = 0;
            UsearchNative.usearch_add(index.Pointer, keys[i], rows + (long)i * Dimensions, UsearchNative.ScalarF32, &error);
            UsearchNative.Check(error, nameof(UsearchNative.usearch_add));
        }
    }

    /// <summary>Capacity for <paramref name="capacity"/> vectors and <paramref name="threads"/> contexts (never fewer than now).</summary>
    private void Reserve(long capacity, int threads)
    {
        using (Exclusive())
        {
            using var index = _index.Acquire();
            nint error = 0;
            UsearchNative.usearch_reserve(index.Pointer, (nuint)capacity, &error);
            UsearchNative.Check(error, nameof(UsearchNative.usearch_reserve));
            SetContexts(index.Pointer, Math.Max(threads, _contexts));
        }
    }

    /// <summary>Sets both context counts (a reserve resets them) and grows the gate to match; only while exclusive.</summary>
    private void SetContexts(nint index, int contexts)
    {
        nint error = 0;
        UsearchNative.usearch_change_threads_add(index, (nuint)contexts, &error);
        UsearchNative.Check(error, nameof(UsearchNative.usearch_change_threads_add));
        UsearchNative.usearch_change_threads_search(index, (nuint)contexts, &error);
        UsearchNative.Check(error, nameof(UsearchNative.usearch_change_threads_search));
        // The exclusive holder has every permit; it releases the new count when it ends.
        _contexts = contexts;
    }

    /// <summary>Every permit of the gate: no add or search is inside USearch until the returned scope ends.</summary>
    private ExclusiveScope Exclusive()
    {
        _exclusive.Enter();
        int held = _contexts;
        for (int i = 0; i < held; i++)
            _gate.Wait();
        return new ExclusiveScope(this, held);
    }

    private nuint Query(delegate*<nint, nint*, nuint> function, string name)
    {
        using var index = _index.Acquire();
        nint error = 0;
        nuint value = function(index.Pointer, &error);
        UsearchNative.Check(error, name);
        return value;
    }

    private static UsearchEngine Open(string path, HnswOptions options, bool view)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{EngineName}: no index file at {path}.", path);
        var header = UsearchIndexHandle.ReadMetadata(path);
        if ((int)header.Dimensions != options.Dimensions)
            throw new ArgumentException($"{path} holds a {header.Dimensions}-dimensional USearch index; the options ask for {options.Dimensions}.", nameof(options));
        if (header.MetricKind != MetricKind(options.Metric))
            throw new ArgumentException($"{path} holds a USearch index of metric kind {header.MetricKind}; the options ask for {options.Metric} ({MetricKind(options.Metric)}).", nameof(options));
        var scalar = header.Quantization switch
        {
            UsearchNative.ScalarF32 => UsearchScalar.Float32,
            UsearchNative.ScalarF16 => UsearchScalar.Float16,
            UsearchNative.ScalarI8 => UsearchScalar.Int8,
            _ => throw new ArgumentException($"{path} stores scalar kind {header.Quantization}, which this engine does not open (f32, f16, i8).", nameof(path)),
        };
        header.Connectivity = (nuint)options.M;
        header.ExpansionAdd = (nuint)options.EfConstruction;
        header.ExpansionSearch = (nuint)options.DefaultEf;
        var handle = UsearchIndexHandle.Create(header);
        var engine = new UsearchEngine(handle, options, scalar, view);
        try
        {
            using (engine.Exclusive())
            {
                using var index = handle.Acquire();
                nint error = 0;
                if (view)
                {
                    UsearchNative.usearch_view(index.Pointer, path, &error);
                    UsearchNative.Check(error, nameof(UsearchNative.usearch_view));
                }
                else
                {
                    UsearchNative.usearch_load(index.Pointer, path, &error);
                    UsearchNative.Check(error, nameof(UsearchNative.usearch_load));
                }
                engine.SetContexts(index.Pointer, engine._contexts);
            }
            engine._claimed = engine.Count;
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private static void CheckScalar(DistanceMetric metric, UsearchScalar scalar)
    {
        if (!Enum.IsDefined(scalar))
            throw new ArgumentOutOfRangeException(nameof(scalar), scalar, "Unknown USearch scalar kind.");
        if (scalar == UsearchScalar.Int8 && metric != DistanceMetric.Cosine)
            throw new ArgumentException($"USearch's i8 quantisation normalises vectors, so it is valid for cosine only, not {metric}.", nameof(scalar));
    }

    private static int MetricKind(DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => UsearchNative.MetricL2sq,
        DistanceMetric.InnerProduct => UsearchNative.MetricIp,
        _ => UsearchNative.MetricCos,
    };

    private static int ScalarKind(UsearchScalar scalar) => scalar switch
    {
        UsearchScalar.Float16 => UsearchNative.ScalarF16,
        UsearchScalar.Int8 => UsearchNative.ScalarI8,
        _ => UsearchNative.ScalarF32,
    };

    [UnmanagedCallersOnly]
    private static int FilterCallback(ulong key, void* state)
    {
        var filter = (FilterState)GCHandle.FromIntPtr((nint)state).Target!;
        if (filter.Error is not null)
            return 0;
        try
        {
            return filter.Filter((long)key) ? 1 : 0;
        }
        catch (Exception e)
        {
            // No managed exception may unwind through USearch's frames: keep it, reject the rest, rethrow after.
            filter.Error = e;
            return 0;
        }
    }

    private sealed class FilterState(Func<long, bool> filter)
    {
        public Func<long, bool> Filter { get; } = filter;

        public Exception? Error { get; set; }
    }

    private readonly ref struct ExclusiveScope(UsearchEngine engine, int held)
    {
        public void Dispose()
        {
            // Release what the gate should hold now: more than was taken when SetContexts grew the pool.
            engine._gate.Release(Math.Max(held, engine._contexts));
            engine._exclusive.Exit();
        }
    }
}

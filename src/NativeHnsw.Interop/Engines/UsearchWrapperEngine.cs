using Cloud.Unum.USearch;
using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>
/// USearch through the Cloud.Unum.USearch package's own C# wrapper (<see cref="USearchIndex"/>), used the way its
/// README shows: what a .NET user gets by default, measured next to <see cref="UsearchEngine"/> (the C API directly).
/// </summary>
/// <remarks>
/// <para>What the wrapper cannot do, and so this engine does not: change the search expansion after construction (every
/// search runs at <see cref="FixedEf"/>, the options' DefaultEf, and a search asking for another ef throws), set the
/// thread contexts (adds run on one thread; the wrapper's context pool is the processor count, so more concurrent
/// searches than that fail inside USearch), filter, or report memory. Every search allocates the wrapper's two result
/// arrays; vectors are copied into one array per row, as the wrapper takes <c>float[]</c>.</para>
/// <para>Dispose waits for calls in flight, so it may race a search like the other engines' handles.</para>
/// </remarks>
public sealed class UsearchWrapperEngine : IVectorEngine
{
    public const string EngineName = "USearch-wrapper";

    [ThreadStatic]
    private static float[]? s_query;

    private readonly USearchIndex _index;
    private readonly HnswOptions _options;
    private readonly int _fixedEf;
    private int _inFlight;
    private volatile bool _disposed;

    private UsearchWrapperEngine(USearchIndex index, HnswOptions options, int fixedEf)
    {
        _index = index;
        _options = options;
        _fixedEf = fixedEf;
    }

    /// <summary>The wrapper loads the same libusearch_c.so as <see cref="UsearchEngine"/>.</summary>
    public static NativeLibraryStatus Library => UsearchEngine.Library;

    public string Name => EngineName;

    public int Dimensions => _options.Dimensions;

    public DistanceMetric Metric => _options.Metric;

    public bool SupportsPersistence => true;

    /// <summary>
    /// The only ef this engine searches with: the wrapper fixes the expansion when the index is made, at the options'
    /// DefaultEf for <see cref="Create"/> and at USearch's default (<see cref="DefaultExpansion"/>) for a loaded file,
    /// whatever the options ask, since the wrapper's file constructor takes no expansion.
    /// </summary>
    public int FixedEf => _fixedEf;

    /// <summary>USearch's default expansion_search (2.26), the one an index the wrapper loads from a file searches with.</summary>
    public const int DefaultExpansion = 64;

    public long Count
    {
        get
        {
            Enter();
            try
            {
                return (long)_index.Size();
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Null: the wrapper does not expose usearch_memory_usage.</summary>
    public long? MemoryBytes => null;

    public static UsearchWrapperEngine Create(HnswOptions options)
    {
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        var index = Wrap(() => new USearchIndex(
            MetricOf(options.Metric), ScalarKind.Float32, (ulong)options.Dimensions, (ulong)options.M,
            (ulong)options.EfConstruction, (ulong)options.DefaultEf, false), "USearchIndex(options)");
        return new UsearchWrapperEngine(index, options, options.DefaultEf);
    }

    /// <summary>The wrapper's <c>new USearchIndex(path, view: false)</c>; the options must name the file's dimension.</summary>
    public static UsearchWrapperEngine Load(string path, HnswOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EngineInput.Validate(options);
        NativeLibraries.EnsureAvailable(Library, EngineName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{EngineName}: no index file at {path}.", path);
        var index = Wrap(() => new USearchIndex(path, false), "USearchIndex(path)");
        ulong dimensions = index.Dimensions();
        if (dimensions != (ulong)options.Dimensions)
        {
            index.Dispose();
            throw new ArgumentException($"{path} holds a {dimensions}-dimensional USearch index; the options ask for {options.Dimensions}.", nameof(options));
        }
        return new UsearchWrapperEngine(index, options, DefaultExpansion);
    }

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1)
    {
        EngineInput.CheckBatch(labels, vectors, Dimensions);
        if (labels.Span.Contains(UsearchEngine.ReservedLabel))
            throw new ArgumentException($"Label {UsearchEngine.ReservedLabel} is USearch's reserved free key and cannot be stored.", nameof(labels));
        Enter();
        try
        {
            var ids = labels.Span;
            var rows = vectors.Span;
            for (int i = 0; i < ids.Length; i++)
            {
                float[] row = rows.Slice(i * Dimensions, Dimensions).ToArray();
                ulong key = (ulong)ids[i];
                Wrap(() => _index.Add(key, row), "USearchIndex.Add");
            }
        }
        finally
        {
            Exit();
        }
    }

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0)
    {
        EngineInput.CheckQuery(query, Dimensions);
        int k = destination.Length;
        if (k == 0)
            return 0;
        if (ef > 0 && ef != FixedEf)
            throw new NotSupportedException($"{EngineName}: the wrapper fixes the expansion at construction ({FixedEf}); it cannot search with ef {ef}.");
        var q = s_query is { } cached && cached.Length == Dimensions ? cached : s_query = new float[Dimensions];
        query.CopyTo(q);
        Enter();
        int found;
        ulong[] keys;
        float[] distances;
        try
        {
            found = _index.Search(q, k, out keys, out distances);
        }
        catch (USearchException e)
        {
            throw new UsearchException("USearchIndex.Search", e.Message);
        }
        finally
        {
            Exit();
        }
        found = Math.Min(found, k);
        for (int i = 0; i < found; i++)
            destination[i] = new SearchResult((long)keys[i], distances[i]);
        return found;
    }

    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Enter();
        try
        {
            Wrap(() => _index.Save(path), "USearchIndex.Save");
        }
        finally
        {
            Exit();
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        var wait = new SpinWait();
        while (Volatile.Read(ref _inFlight) != 0)
            wait.SpinOnce();
        _index.Dispose();
    }

    private void Enter()
    {
        Interlocked.Increment(ref _inFlight);
        if (_disposed)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new ObjectDisposedException(EngineName);
        }
    }

    private void Exit() => Interlocked.Decrement(ref _inFlight);

    private static MetricKind MetricOf(DistanceMetric metric) => metric switch
    {
        DistanceMetric.L2 => MetricKind.L2sq,
        DistanceMetric.InnerProduct => MetricKind.Ip,
        _ => MetricKind.Cos,
    };

    private static T Wrap<T>(Func<T> call, string function)
    {
        try
        {
            return call();
        }
        catch (USearchException e)
        {
            throw new UsearchException(function, e.Message);
        }
    }

    private static void Wrap(Action call, string function)
    {
        try
        {
            call();
        }
        catch (USearchException e)
        {
            throw new UsearchException(function, e.Message);
        }
    }
}

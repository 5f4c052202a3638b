using System.Numerics.Tensors;
using Microsoft.Extensions.ObjectPool;
using NativeHnsw.Distance;
using NativeHnsw.Graph;
using NativeHnsw.IndexFiles;

namespace NativeHnsw;

/// <summary>
/// A hierarchical navigable small world graph over float vectors, searched with SIMD kernels.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called from any number of threads, concurrently with adds,
/// deletes, growth, saves and Dispose; once Dispose has begun, every call but a property read throws
/// ObjectDisposedException, and none reads freed memory.
/// Labels are the caller's 64-bit ids. Adding a label that is already present replaces its vector:
/// the old node stays in the graph as a hidden waypoint (so paths through it keep working) and the
/// new vector answers for the label from then on; the old node's space is reclaimed only by a rebuild.
/// Adding a label again with the vector it already holds (bit for bit) adds no node (see <see cref="Add"/>).
/// </remarks>
public sealed partial class HnswIndex : IDisposable
{
    /// <summary>Largest number of nodes (live, deleted and replaced) one index can hold: node ids are 32-bit.</summary>
    public const int MaxNodes = int.MaxValue - 1024;

    /// <summary>Cap on a node's level; reached only with astronomically small odds, it bounds every level loop.</summary>
    internal const int MaxLevel = 63;

    private const int StripeCount = 1024;

    private readonly HnswOptions _options;
    private readonly double _levelScale;
    private readonly ReaderWriterLockSlim _growLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _allocLock = new();
    private readonly Lock _entryLock = new();
    // The stripe locks guard link edits only, so they are made by the first insert: a read-only (mapped) index never
    // takes one, and a loaded index that is only searched need not allocate 1,024 of them (about 40 KB) in Load.
    private Lock[]? _stripes;
    private readonly DefaultObjectPool<SearchContext> _contexts;

    private GraphStorage _storage;
    private int _count;
    private long _upperUsed;
    private long _entry = -1;
    private int _hiddenCount;
    private int _deletedCount;
    private int _disposed;
    // Set by a LoadCheck.Checksums load until its deferred checks pass.
    private DeferredCheck? _deferredCheck;

    /// <summary>Creates an empty index.</summary>
    public HnswIndex(HnswOptions options)
        : this(Validated(options), storage: null)
    {
    }

    /// <summary>An index over existing blocks (a loaded or a mapped file); the caller sets the counts and the label map.</summary>
    private HnswIndex(HnswOptions options, GraphStorage? storage)
    {
        _options = options;
        _levelScale = 1.0 / Math.Log(options.M);
        _contexts = new DefaultObjectPool<SearchContext>(new SearchContext.Policy(options.Dimensions, options.M), Environment.ProcessorCount * 2);
        if (storage is null)
        {
            int capacity = Math.Max(options.InitialCapacity, 16);
            storage = NativeGraphStorage.Allocate(options, capacity, ExpectedUpperInts(capacity));
        }
        _storage = storage;
    }

    /// <summary>The parameters the index was created with.</summary>
    public HnswOptions Options => _options;

    public int Dimensions => _options.Dimensions;

    public DistanceMetric Metric => _options.Metric;

    /// <summary>Labels that searches can return (added, not deleted).</summary>
    public int Count
    {
        get
        {
            lock (_allocLock)
                return _storage.LabelCount - _deletedCount;
        }
    }

    /// <summary>Nodes in the graph, including deleted ones and replaced vectors kept as waypoints.</summary>
    public int NodeCount => Volatile.Read(ref _count);

    /// <summary>Nodes the index has room for before it next grows.</summary>
    public int Capacity => Volatile.Read(ref _storage).NodeCapacity;

    /// <summary>
    /// Bytes of graph memory held (vectors, compact rows, links, labels, states), not counting the label map. A loaded
    /// index whose labels are its node ids (0, 1, …, the common bulk load) holds no labels until its first add.
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            var s = Volatile.Read(ref _storage);
            long labelBytes = s.Holds(IndexFiles.SectionId.Labels) ? sizeof(long) : 0;
            return GraphBytes(s, (long)Dimensions * sizeof(float) + s.CodeStride + labelBytes);
        }
    }

    /// <summary>
    /// Bytes of <see cref="MemoryBytes"/> that a search's graph walk reads: per node its links, state, upper offset and
    /// the rows distances are taken on (the compact rows when the index is quantized, else float32), plus the upper
    /// levels. Not counted: labels (read only for the k hits) and, for a quantized index, the float32 rows (read only to
    /// re-rank the final candidates). This is the working set that must stay in cache or RAM for fast searches.
    /// </summary>
    public long SearchMemoryBytes
    {
        get
        {
            var s = Volatile.Read(ref _storage);
            return GraphBytes(s, s.Holds(s.CodeSection) ? s.CodeStride : (long)Dimensions * sizeof(float));
        }
    }

    /// <summary>Links, state and upper offset of every node plus <paramref name="rowBytes"/> a node, and the upper levels.</summary>
    private static long GraphBytes(GraphStorage s, long rowBytes) =>
        s.NodeCapacity * (rowBytes + (long)s.Level0Stride * sizeof(int) + 1 + sizeof(int)) + s.UpperCapacity * sizeof(int);

    /// <summary>Ensures room for <paramref name="nodes"/> nodes without further growth.</summary>
    public void Reserve(int nodes)
    {
        ThrowIfDisposed();
        EnsureWritable();
        if (nodes is < 0 or > MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, $"An index holds at most {MaxNodes} nodes.");
        Grow(nodes, ExpectedUpperInts(nodes));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Waits for in-flight inserts; searches keep their lease and the blocks outlive them.
        _growLock.EnterWriteLock();
        try
        {
            _storage.Dispose();
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }

    /// <summary>The stripe locks of link edits, made by the first caller.</summary>
    private Lock[] Stripes => Volatile.Read(ref _stripes) ?? CreateStripes();

    private Lock[] CreateStripes()
    {
        Interlocked.CompareExchange(ref _stripes, NewStripes(), null);
        return _stripes!;
    }

    private static Lock[] NewStripes()
    {
        var stripes = new Lock[StripeCount];
        for (int i = 0; i < stripes.Length; i++)
            stripes[i] = new Lock();
        return stripes;
    }

    private long ExpectedUpperInts(int nodes) =>
        // A node reaches level ≥ 1 with odds 1/M and has 1/(M−1) upper levels on average, each of
        // 1 + M ints, plus its level: about (2 + M)/(M − 1) ints a node. A quarter more absorbs the
        // draw's variance, so the pool rarely has to grow on its own.
        1024 + (long)nodes * (2 + _options.M) * 5 / (4 * (_options.M - 1));

    private static long PackEntry(int node, int level) => ((long)level << 32) | (uint)node;

    private static int EntryNode(long entry) => (int)(uint)entry;

    private static int EntryLevel(long entry) => (int)(entry >> 32);

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
            ThrowHelper.ThrowDisposed();
    }

    /// <summary>Throws unless the index may be changed: not mapped, and the checks a <see cref="LoadCheck.Checksums"/> load deferred passed.</summary>
    private void EnsureWritable()
    {
        if (_storage.IsReadOnly)
            ThrowHelper.ThrowReadOnly();
        if (Volatile.Read(ref _deferredCheck) is null)
            return;
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            RunDeferredCheck();
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    /// <summary>Runs the checks a <see cref="LoadCheck.Checksums"/> load deferred, if still due; the caller holds <see cref="_growLock"/>.</summary>
    private void RunDeferredCheck()
    {
        if (Volatile.Read(ref _deferredCheck) is { } check)
        {
            check.Run(_storage);
            Volatile.Write(ref _deferredCheck, null);
        }
    }

    private static HnswOptions Validated(HnswOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>A lease on the current blocks; retried when growth retires them between the read and the lease.</summary>
    private GraphStorage AcquireStorage()
    {
        while (true)
        {
            ThrowIfDisposed();
            var storage = Volatile.Read(ref _storage);
            if (storage.TryAcquire())
                return storage;
        }
    }

    /// <summary>
    /// A lease on the current blocks with the published state they hold: the entry point, node count and
    /// pool use are read while those blocks are current, so every node they name is in them. (Read after
    /// growth had moved on, they could name a node only the next blocks hold.)
    /// </summary>
    private GraphStorage AcquirePublished(out long entry, out int count, out long upperUsed)
    {
        while (true)
        {
            var storage = AcquireStorage();
            entry = Volatile.Read(ref _entry);
            count = Volatile.Read(ref _count);
            upperUsed = Volatile.Read(ref _upperUsed);
            if (ReferenceEquals(Volatile.Read(ref _storage), storage))
                return storage;
            storage.Release();
        }
    }

    private void Grow(int minNodes, long minUpper)
    {
        _growLock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var current = _storage;
            if (current.NodeCapacity >= minNodes && current.UpperCapacity >= minUpper)
                return;
            // Grow only what ran out: the upper-level pool can fill before the node blocks do, and
            // doubling the node blocks then would double the index's memory for nothing.
            int nodes = current.NodeCapacity >= minNodes
                ? current.NodeCapacity
                : (int)Math.Min(MaxNodes, Math.Max(minNodes, Math.Max(1024L, current.NodeCapacity * 2L)));
            long upper = current.UpperCapacity >= minUpper && current.UpperCapacity >= ExpectedUpperInts(nodes)
                ? current.UpperCapacity
                : Math.Max(minUpper, Math.Max(current.UpperCapacity * 2, ExpectedUpperInts(nodes)));
            var next = current.Grow(nodes, upper, _count, _upperUsed);
            Volatile.Write(ref _storage, next);
            current.Dispose();
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }

    /// <summary>Checks a caller's vector: its length, every component finite, and a direction under cosine.</summary>
    private void ValidateVector(ReadOnlySpan<float> vector, string paramName, string? what = null) =>
        VectorValidation.Validate(vector, Dimensions, Metric, paramName, what);

    /// <summary>Copies a validated vector into <paramref name="destination"/> in the form the graph stores (unit length under cosine).</summary>
    private void PrepareVector(ReadOnlySpan<float> vector, Span<float> destination) =>
        VectorValidation.Prepare(vector, Metric, destination);
}

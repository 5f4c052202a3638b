using System.Runtime.InteropServices;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw;

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Adds <paramref name="vector"/> under <paramref name="label"/>, or replaces the vector of a
    /// label already present (see the class remarks). Safe to call from many threads at once.
    /// </summary>
    /// <remarks>
    /// Adding a label again with a vector bit-identical to the one it holds (compared in stored form, so
    /// under cosine after normalisation) adds no node: the graph is left as it is, except that a deleted
    /// label becomes searchable again, as any re-add makes it.
    /// </remarks>
    /// <exception cref="ArgumentException">Wrong dimension, a NaN or infinite component, or a zero vector under cosine.</exception>
    public void Add(long label, ReadOnlySpan<float> vector)
    {
        ThrowIfDisposed();
        EnsureWritable();
        ValidateVector(vector, nameof(vector));
        var context = _contexts.Get();
        try
        {
            Insert(null, label, vector, context);
        }
        finally
        {
            _contexts.Return(context);
        }
        if (NeedsTraining(NodeCount))
            TrainQuantizer([]);
    }

    /// <summary>
    /// Adds a batch: <paramref name="vectors"/> holds <c>labels.Length</c> rows of <see cref="Dimensions"/>
    /// floats, row-major. The whole batch is validated before anything is inserted, then inserted on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (−1: every core). Rows take node ids in batch order
    /// on any number of threads, so a batch of ascending labels saves without a label index (docs/FORMAT.md).
    /// </summary>
    /// <exception cref="ArgumentException">A size mismatch, a label twice in the batch, or a bad vector (its row is named).</exception>
    public void AddRange(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1)
    {
        ThrowIfDisposed();
        EnsureWritable();
        int n = labels.Length;
        if ((long)n * Dimensions != vectors.Length)
            throw new ArgumentException(
                $"Expected {n} rows of {Dimensions} floats ({(long)n * Dimensions} values) for {n} labels, got {vectors.Length} values.", nameof(vectors));
        if (maxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use −1 for every core, or a positive thread count.");
        var seen = new HashSet<long>(n);
        var labelSpan = labels.Span;
        var vectorSpan = vectors.Span;
        for (int i = 0; i < n; i++)
        {
            if (!seen.Add(labelSpan[i]))
                throw new ArgumentException($"Label {labelSpan[i]} appears more than once in the batch (again at row {i}).", nameof(labels));
            ValidateVector(vectorSpan.Slice(i * Dimensions, Dimensions), nameof(vectors), $"Row {i} (label {labelSpan[i]})");
        }
        if (n == 0)
            return;
        Reserve((int)Math.Min(MaxNodes, (long)NodeCount + n));
        // A batch that reaches the training size trains the quantizer on itself first, so every row is
        // measured against a range that has seen the whole batch.
        if (NeedsTraining((long)NodeCount + n))
            TrainQuantizer(vectorSpan);

        // Each worker claims the next row together with its node id (under the allocation lock), so node ids
        // follow the batch's order on any number of threads: a batch of ascending labels gives labels that
        // ascend with node id, and the saved file needs no label index.
        var batch = new BatchCursor(labels, vectors, Dimensions);
        int workers = Math.Min(n, maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism);
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
        var codes = BuildsOnTemporaryCodes(n) ? BeginCompactBuild(vectorSpan) : null;
        try
        {
            Parallel.For(0, workers, options,
                () => _contexts.Get(),
                (_, _, context) =>
                {
                    while (Insert(batch, 0, default, context))
                    {
                    }
                    return context;
                },
                context => _contexts.Return(context));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is ObjectDisposedException))
        {
            // Disposed mid-batch: the caller gets the exception Add would give, not the workers' wrapper.
            ThrowHelper.ThrowDisposed();
        }
        finally
        {
            if (codes is not null)
                EndCompactBuild(codes);
        }
    }

    /// <summary>The rows of a batch, claimed one at a time in order (<see cref="Next"/> is guarded by the allocation lock).</summary>
    private sealed class BatchCursor(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int dimensions)
    {
        public int Next;

        public int Count => labels.Length;

        public long Label(int row) => labels.Span[row];

        public ReadOnlySpan<float> Row(int row) => vectors.Span.Slice(row * dimensions, dimensions);
    }

    /// <summary>
    /// Inserts one row: <paramref name="label"/> and <paramref name="vector"/>, or with a <paramref name="batch"/>
    /// its next row. False when the batch had no row left.
    /// </summary>
    private bool Insert(BatchCursor? batch, long label, ReadOnlySpan<float> vector, SearchContext context)
    {
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            if (!TryAllocate(batch, label, vector, out int node, out int level, out int previous))
            {
                // Not enough room: grow outside the read lock, then start over.
                _growLock.ExitReadLock();
                try
                {
                    Grow(NodeCount + 1, _upperUsed + 1 + (long)(MaxLevel + 1) * (1 + _options.M));
                }
                finally
                {
                    _growLock.EnterReadLock();
                }
                ThrowIfDisposed();
                if (!TryAllocate(batch, label, vector, out node, out level, out previous))
                    throw new InvalidOperationException($"The index is full: it holds at most {MaxNodes} nodes.");
            }
            if (node == BatchDone)
                return false;
            if (node < 0)
                return true;
            if (Metric == DistanceMetric.L2)
                Link<SquaredL2Distance, Int8L2Metric>(node, level, context);
            else
                Link<DotDistance, Int8DotMetric>(node, level, context);
            if (previous >= 0)
                Supersede(previous);
            return true;
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    /// <summary>The node <see cref="TryAllocate"/> gives when the batch has no row left.</summary>
    private const int BatchDone = -2;

    /// <summary>
    /// Claims the next node id and its upper-level record, stores the vector, and points the label at it;
    /// or, when the label already holds this very vector, changes nothing but a delete mark and gives node −1.
    /// With a <paramref name="batch"/>, the row is the batch's next, claimed only once it fits (node
    /// <see cref="BatchDone"/> when none is left).
    /// The vector is in place before the label names the node, so a concurrent GetVector of a label being
    /// replaced reads its old vector or its new one, never a row not yet written. Caller holds the grow read lock.
    /// </summary>
    private bool TryAllocate(BatchCursor? batch, long label, ReadOnlySpan<float> vector, out int node, out int level, out int previous)
    {
        var storage = _storage;
        lock (_allocLock)
        {
            previous = -1;
            level = 0;
            if (batch is not null)
            {
                if (batch.Next >= batch.Count)
                {
                    node = BatchDone;
                    return true;
                }
                label = batch.Label(batch.Next);
                vector = batch.Row(batch.Next);
            }
            node = _count;
            level = DrawLevel(node);
            int upperInts = level == 0 ? 0 : 1 + level * (1 + _options.M);
            if (node >= storage.NodeCapacity || _upperUsed + upperInts > storage.UpperCapacity || node >= MaxNodes)
                return false;
            if (batch is not null)
                batch.Next++;

            var row = storage.WritableVector(node);
            PrepareVector(vector, row);
            if (IsUnchanged(storage, label, row))
            {
                // Nothing is published: the row just written lies past the node count, unused.
                node = -1;
                return true;
            }
            if (_options.Quantization == VectorQuantization.Float16)
                Float16Codec.Encode(row, storage.WritableCodes(node));
            else if (Volatile.Read(ref _quantizer) is { } quantizer)
                quantizer.Encode(row, storage.WritableCodes(node));
            else if (_buildCodes is { } codes && node < codes.Capacity)
                codes.Quantizer.Encode(row, codes.Row(node));
            int offset = checked((int)_upperUsed);
            previous = storage.AddNode(node, label, level, offset);
            _upperUsed += upperInts;
            // A deleted label comes back to life through its new node.
            if (previous >= 0 && storage.State(previous) == NodeState.Deleted)
            {
                _deletedCount--;
                _hiddenCount--;
            }
            Volatile.Write(ref _count, node + 1);
            return true;
        }
    }

    /// <summary>
    /// True when <paramref name="label"/> already holds a vector bit-identical to <paramref name="row"/> (in stored
    /// form): the add changes nothing but a delete mark, which it lifts. A new node would only pile another copy at
    /// distance 0 beside the old one, and enough hidden copies crowd the live one out of its own neighbourhood.
    /// Caller holds the allocation lock.
    /// </summary>
    private bool IsUnchanged(GraphStorage storage, long label, ReadOnlySpan<float> row)
    {
        int existing = storage.FindNode(label);
        if (existing < 0 || !MemoryMarshal.AsBytes(storage.Vector(existing)).SequenceEqual(MemoryMarshal.AsBytes(row)))
            return false;
        if (storage.State(existing) == NodeState.Deleted)
        {
            storage.SetState(existing, NodeState.Live);
            _deletedCount--;
            _hiddenCount--;
        }
        return true;
    }

    private void Supersede(int previous)
    {
        lock (_allocLock)
        {
            _storage.SetState(previous, NodeState.Superseded);
            _hiddenCount++;
        }
    }

    /// <summary>
    /// The level of a node: −ln(U)·mL with mL = 1/ln(M), U drawn from a hash of (seed, node id) so a
    /// given seed gives the same levels however many threads build.
    /// </summary>
    private int DrawLevel(int node) => DrawLevel(_options.Seed, _levelScale, node);

    /// <summary>The level draw itself: a function of the seed, mL and the node id alone (so file sizes can be computed without a build).</summary>
    internal static int DrawLevel(ulong seed, double levelScale, int node)
    {
        ulong z = seed + (ulong)(node + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double u = ((z >> 11) + 1) * (1.0 / (1UL << 53));
        return (int)Math.Min(MaxLevel, -Math.Log(u) * levelScale);
    }

    /// <summary>
    /// Int8 index: once the quantizer is trained, insertion searches walk the int8 rows, and each level's candidates
    /// are re-scored with float32 before the neighbours are chosen (so selection and link distances stay exact).
    /// Float32 index: an AddRange of at least <see cref="CompactBuildMinimumRows"/> rows, and of at least 1/<see
    /// cref="CompactBuildMaxHeldPerRow"/> of the nodes held, walks temporary int8 codes the same way (see <see
    /// cref="BuildCodes"/>). Measured not to cost recall (QuantizedIndexTests.BuildOnCompact_*, docs/FORMAT.md); false
    /// builds on float32 throughout, the baseline those tests compare with.
    /// </summary>
    internal bool BuildOnCompact { get; set; } = true;

    private void Link<TDistance, TMetric>(int node, int level, SearchContext context)
        where TDistance : struct, IDistance
        where TMetric : struct, IInt8Metric
    {
        long entry = Volatile.Read(ref _entry);
        bool holdsEntry = false;
        if (entry < 0 || level > EntryLevel(entry))
        {
            // A node that becomes the new top holds the entry lock for its whole insertion, so
            // two such nodes never race to replace the entry point (hnswlib does the same).
            _entryLock.Enter();
            holdsEntry = true;
            entry = Volatile.Read(ref _entry);
            if (entry < 0)
            {
                Volatile.Write(ref _entry, PackEntry(node, level));
                _entryLock.Exit();
                return;
            }
            if (level <= EntryLevel(entry))
            {
                _entryLock.Exit();
                holdsEntry = false;
            }
        }
        try
        {
            var graph = _storage.View(Volatile.Read(ref _count), _upperUsed);
            var quantizer = BuildOnCompact ? Volatile.Read(ref _quantizer) : null;
            var codes = BuildOnCompact ? Volatile.Read(ref _buildCodes) : null;
            if (quantizer is not null && graph.HasCodes)
                ConnectOnInt8<TDistance, TMetric>(graph, quantizer, node, level, entry, context);
            else if (codes is not null && graph.NodeCount <= codes.Capacity)
                ConnectOnInt8<TDistance, TMetric>(graph.WithCodes(codes.Rows, codes.Stride), codes.Quantizer, node, level, entry, context);
            else
            {
                GraphLinker.Connect<TDistance>(graph, node, level, EntryNode(entry), EntryLevel(entry), _options.EfConstruction, Stripes, context);
            }
            if (holdsEntry)
                Volatile.Write(ref _entry, PackEntry(node, level));
        }
        finally
        {
            if (holdsEntry)
                _entryLock.Exit();
        }
    }

    /// <summary>Links <paramref name="node"/> with the insertion searches on <paramref name="graph"/>'s int8 rows, re-scored with float32.</summary>
    private void ConnectOnInt8<TDistance, TMetric>(in GraphView graph, Int8Quantizer quantizer, int node, int level, long entry, SearchContext context)
        where TDistance : struct, IDistance
        where TMetric : struct, IInt8Metric
    {
        var terms = quantizer.PrepareQuery(_storage.Vector(node), context.QueryBytes, context.RowScratch);
        fixed (sbyte* query = context.QueryBytes)
        {
            GraphLinker.Connect<TDistance, Int8NodeDistance<TMetric>>(graph, new Int8NodeDistance<TMetric>(graph, query, terms), rescore: true,
                node, level, EntryNode(entry), EntryLevel(entry), _options.EfConstruction, Stripes, context);
        }
    }
}

using System.Runtime.InteropServices;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>
    /// Adds <paramref name="vector"/> under <paramref name="label"/>, or replaces the vector of a
    /// label already present (see the class remarks). Safe to call from many threads at once.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong dimension, a NaN or infinite component, or a zero vector under cosine.</exception>
    public void Add(long label, ReadOnlySpan<float> vector)
    {
        ThrowIfDisposed();
        ThrowIfReadOnly();
        ValidateVector(vector, nameof(vector));
        var context = _contexts.Get();
        try
        {
            Insert(label, vector, context);
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    /// <summary>
    /// Adds a batch: <paramref name="vectors"/> holds <c>labels.Length</c> rows of <see cref="Dimensions"/>
    /// floats, row-major. The whole batch is validated before anything is inserted, then inserted on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (−1: every core).
    /// </summary>
    /// <exception cref="ArgumentException">A size mismatch, a label twice in the batch, or a bad vector (its row is named).</exception>
    public void AddRange(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1)
    {
        ThrowIfDisposed();
        ThrowIfReadOnly();
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

        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        int dims = Dimensions;
        try
        {
            Parallel.For(0, n, options,
                () => _contexts.Get(),
                (i, _, context) =>
                {
                    Insert(labels.Span[i], vectors.Span.Slice(i * dims, dims), context);
                    return context;
                },
                context => _contexts.Return(context));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is ObjectDisposedException))
        {
            // Disposed mid-batch: the caller gets the exception Add would give, not the workers' wrapper.
            ThrowHelper.ThrowDisposed();
        }
    }

    private void Insert(long label, ReadOnlySpan<float> vector, SearchContext context)
    {
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            if (!TryAllocate(label, vector, out int node, out int level, out int previous))
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
                if (!TryAllocate(label, vector, out node, out level, out previous))
                    throw new InvalidOperationException($"The index is full: it holds at most {MaxNodes} nodes.");
            }
            if (Metric == DistanceMetric.L2)
                Link<SquaredL2Distance>(node, level, context);
            else
                Link<DotDistance>(node, level, context);
            if (previous >= 0)
                Supersede(previous);
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    /// <summary>
    /// Claims the next node id and its upper-level record, stores the vector, and points the label at it.
    /// The vector is in place before the label names the node, so a concurrent GetVector of a label being
    /// replaced reads its old vector or its new one, never a row not yet written. Caller holds the grow read lock.
    /// </summary>
    private bool TryAllocate(long label, ReadOnlySpan<float> vector, out int node, out int level, out int previous)
    {
        var storage = _storage;
        lock (_allocLock)
        {
            node = _count;
            level = DrawLevel(node);
            int upperInts = level == 0 ? 0 : 1 + level * (1 + _options.M);
            previous = -1;
            if (node >= storage.NodeCapacity || _upperUsed + upperInts > storage.UpperCapacity || node >= MaxNodes)
                return false;

            PrepareVector(vector, storage.WritableVector(node));
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
    private int DrawLevel(int node)
    {
        ulong z = _options.Seed + (ulong)(node + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double u = ((z >> 11) + 1) * (1.0 / (1UL << 53));
        return (int)Math.Min(MaxLevel, -Math.Log(u) * _levelScale);
    }

    private unsafe void Link<TDistance>(int node, int level, SearchContext context)
        where TDistance : struct, IDistance
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
            float* query = graph.Vector(node);
            int entryNode = EntryNode(entry);
            int topLevel = EntryLevel(entry);
            float entryDistance = TDistance.Compute(ref *query, ref *graph.Vector(entryNode), Dimensions);
            if (level < topLevel)
                entryNode = GraphSearch.Descend<TDistance>(graph, query, entryNode, ref entryDistance, topLevel, level);

            // First the node's own links at every level, then the reverse links that make it
            // reachable. Were it reachable earlier, another insert could descend onto it and start
            // a level-0 search from a node that has no level-0 links yet, and be left linked to it alone.
            int linkedTop = Math.Min(level, topLevel);
            for (int l = linkedTop; l >= 0; l--)
            {
                GraphSearch.SearchLevel<TDistance>(graph, query, entryNode, entryDistance, _options.EfConstruction, l, context, exclude: false, filter: null);
                var found = WithoutNode(context.DrainResultsAscending(), node);
                var selected = context.SelectedAt(l);
                if (found.IsEmpty)
                {
                    context.SetSelectedCount(l, 0);
                    continue;
                }
                entryNode = found[0].Node;
                entryDistance = found[0].Distance;
                int kept = GraphSearch.SelectNeighbors<TDistance>(graph, found, _options.M, selected);
                context.SetSelectedCount(l, kept);
                SetLinks(graph, node, l, selected[..kept]);
            }
            for (int l = linkedTop; l >= 0; l--)
            {
                foreach (var neighbor in context.SelectedAt(l)[..context.SelectedCount(l)])
                    AddLink<TDistance>(graph, neighbor.Node, l, node, neighbor.Distance, context);
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

    /// <summary>A concurrent insert can reach the node being inserted; it must not become its own neighbor.</summary>
    private static Span<Neighbor> WithoutNode(Span<Neighbor> found, int node)
    {
        for (int i = 0; i < found.Length; i++)
        {
            if (found[i].Node == node)
            {
                found[(i + 1)..].CopyTo(found[i..]);
                return found[..^1];
            }
        }
        return found;
    }

    /// <summary>Writes the new node's own links at a level; nobody links to it before this is done.</summary>
    private unsafe void SetLinks(in GraphView graph, int node, int level, ReadOnlySpan<Neighbor> selected)
    {
        lock (StripeOf(node))
            WriteSlot(graph.Links(node, level), selected);
    }

    /// <summary>Adds the reverse link target → newcomer, pruning the target's links by the heuristic when full.</summary>
    private unsafe void AddLink<TDistance>(in GraphView graph, int target, int level, int newcomer, float distance, SearchContext context)
        where TDistance : struct, IDistance
    {
        lock (StripeOf(target))
        {
            int* slot = graph.Links(target, level);
            if (slot == null)
                return;
            int count = graph.LinkCount(slot, level);
            int max = level == 0 ? _options.M * 2 : _options.M;
            for (int i = 1; i <= count; i++)
            {
                if (slot[i] == newcomer)
                    return;
            }
            if (count < max)
            {
                slot[count + 1] = newcomer;
                Volatile.Write(ref *slot, count + 1);
                return;
            }
            var pool = context.Scratch.AsSpan();
            float* vector = graph.Vector(target);
            float* four = stackalloc float[4];
            int j = 0;
            for (; j + 4 <= count; j += 4)
            {
                int* links = slot + 1 + j;
                TDistance.Compute4(vector, graph.Vector(links[0]), graph.Vector(links[1]), graph.Vector(links[2]), graph.Vector(links[3]), Dimensions, four);
                for (int t = 0; t < 4; t++)
                    pool[j + t] = new Neighbor(four[t], links[t]);
            }
            for (; j < count; j++)
                pool[j] = new Neighbor(TDistance.Compute(ref *vector, ref *graph.Vector(slot[j + 1]), Dimensions), slot[j + 1]);
            pool[count] = new Neighbor(distance, newcomer);
            Prune<TDistance>(graph, slot, level, pool[..(count + 1)]);
        }
    }

    private unsafe void Prune<TDistance>(in GraphView graph, int* slot, int level, Span<Neighbor> candidates)
        where TDistance : struct, IDistance
    {
        candidates.Sort(Neighbor.ByDistance);
        int max = level == 0 ? _options.M * 2 : _options.M;
        Span<Neighbor> kept = stackalloc Neighbor[max];
        int count = GraphSearch.SelectNeighbors<TDistance>(graph, candidates, max, kept);
        WriteSlot(slot, kept[..count]);
    }

    /// <summary>Links first, count last: a lock-free reader sees either the old count or a slot whose links are all valid ids.</summary>
    private static unsafe void WriteSlot(int* slot, ReadOnlySpan<Neighbor> links)
    {
        for (int i = 0; i < links.Length; i++)
            slot[i + 1] = links[i].Node;
        Volatile.Write(ref *slot, links.Length);
    }
}

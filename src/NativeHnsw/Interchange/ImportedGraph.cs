using System.Globalization;
using System.Runtime.InteropServices;
using NativeHnsw.Graph;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.Interchange;

/// <summary>
/// Builds our graph blocks from a foreign file's parts, checking each part against the rules our own files
/// keep (GraphValidator's): link counts within M0/M, link ids nodes other than the node itself that have the
/// level, finite rows (unit length under cosine), the entry point on the top level. A violation throws
/// <see cref="IndexFormatException"/> naming the foreign field and its offset. Both readers fill it in the
/// order their files hold the data; nothing is rebuilt.
/// </summary>
internal sealed class ImportedGraph : IDisposable
{
    private readonly ForeignReader _reader;
    private readonly byte[] _levels;
    private readonly bool _cosine;
    private NativeGraphStorage? _storage;
    private readonly long _upperUsed;

    /// <summary>Allocates the blocks for <c>levels.Length</c> nodes, each node's top level (already checked within 0..MaxLevel) given.</summary>
    public ImportedGraph(ForeignReader reader, int dimensions, int m, DistanceMetric metric, byte[] levels)
    {
        _reader = reader;
        _levels = levels;
        _cosine = metric == DistanceMetric.Cosine;
        Dimensions = dimensions;
        M = m;
        int n = levels.Length;
        long upper = 0;
        foreach (byte level in levels)
            upper += level == 0 ? 0 : 1 + (long)level * (1 + m);
        long perNode = (long)dimensions * sizeof(float) + (1 + 2L * m) * sizeof(int) + sizeof(long) + 1 + sizeof(int) + 32;
        long required = n * perNode + upper * sizeof(int);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (required > available)
            throw new IndexTooLargeException(reader.Path, required, available);
        try
        {
            _storage = NativeGraphStorage.Allocate(dimensions, m, Math.Max(n, 16), Math.Max(upper, 64));
        }
        catch (OutOfMemoryException e)
        {
            throw new IndexTooLargeException(reader.Path, required, -1, e);
        }
        // Every node starts live (FAISS has no delete marks; hnswlib's are applied as its records are read).
        _storage.WritableBytes(SectionId.States, 0, n).Clear();
        long position = 0;
        for (int node = 0; node < n; node++)
        {
            int level = levels[node];
            int offset = level == 0 ? -1 : (int)position;
            MemoryMarshal.Write(_storage.WritableBytes(SectionId.UpperOffsets, (long)node * sizeof(int), sizeof(int)), offset);
            if (level > 0)
            {
                var record = Ints(SectionId.UpperLinks, position, 1 + level * (1 + m));
                record.Clear();
                record[0] = level;
                position += record.Length;
            }
        }
        _upperUsed = position;
    }

    public int Dimensions { get; }
    public int M { get; }
    public int NodeCount => _levels.Length;

    public int Level(int node) => _levels[node];

    /// <summary>
    /// Stores the links of <paramref name="node"/> at <paramref name="level"/> after checking them; <paramref name="fileOffset"/>
    /// is where the list starts in the foreign file, <paramref name="field"/> its name there.
    /// </summary>
    public void SetLinks(int node, int level, ReadOnlySpan<int> links, string field, long fileOffset, int linkBytes = sizeof(int))
    {
        int max = level == 0 ? 2 * M : M;
        if (links.Length > max)
            throw _reader.Fail(field, fileOffset, Invariant($"node {node} has {links.Length} links at level {level}, more than the {max} this M allows"));
        int n = NodeCount;
        for (int i = 0; i < links.Length; i++)
        {
            int target = links[i];
            long at = fileOffset + (long)i * linkBytes;
            if ((uint)target >= (uint)n)
                throw _reader.Fail(field, at, Invariant($"node {node} links to node {target} at level {level}; node ids are 0..{n - 1}"));
            if (target == node)
                throw _reader.Fail(field, at, Invariant($"node {node} links to itself at level {level}"));
            if (_levels[target] < level)
                throw _reader.Fail(field, at, Invariant($"node {node} links at level {level} to node {target}, whose top level is {_levels[target]}"));
        }
        var slot = Slot(node, level);
        slot[0] = links.Length;
        links.CopyTo(slot[1..]);
        // Level-0 slots past the count are zero in our files; the foreign file may hold stale links there.
        slot[(1 + links.Length)..].Clear();
    }

    /// <summary>Rows <paramref name="firstNode"/>.. as writable bytes, at most one chunk; <see cref="CheckRows"/> them once filled.</summary>
    public Span<byte> VectorBytes(int firstNode, int nodes) =>
        Storage.WritableBytes(SectionId.Vectors, (long)firstNode * Dimensions * sizeof(float), nodes * Dimensions * sizeof(float));

    /// <summary>Checks rows just filled: finite, unit length under cosine. <paramref name="rowOffset"/> gives a row's offset in the foreign file.</summary>
    public void CheckRows(int firstNode, int nodes, string field, Func<int, long> rowOffset)
    {
        var rows = MemoryMarshal.Cast<byte, float>(VectorBytes(firstNode, nodes));
        int bad = GraphValidator.FirstBadRow(rows, Dimensions, _cosine);
        if (bad < 0)
            return;
        int node = firstNode + bad;
        var row = rows.Slice(bad * Dimensions, Dimensions);
        string problem = float.IsFinite(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row)) || System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(row)
            ? Invariant($"node {node}'s vector has squared length {System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row)}; imported as cosine, rows must be unit length (squared length within {IndexFormat.UnitNormTolerance} of 1): import it as inner product, or rebuild")
            : Invariant($"node {node}'s vector has a NaN or infinite component");
        throw _reader.Fail(field, rowOffset(node), problem);
    }

    public void SetLabel(int node, long label) =>
        MemoryMarshal.Write(Storage.WritableBytes(SectionId.Labels, (long)node * sizeof(long), sizeof(long)), label);

    public long Label(int node) => MemoryMarshal.Read<long>(Storage.Bytes(SectionId.Labels, (long)node * sizeof(long), sizeof(long)));

    public void SetDeleted(int node, bool deleted) => Storage.SetState(node, deleted ? NodeState.Deleted : NodeState.Live);

    /// <summary>
    /// Checks the entry point and hands the blocks to a new index. A label held by several nodes answers from
    /// the last of them (as hnswlib's label lookup does); the earlier ones stay in the graph as superseded waypoints.
    /// </summary>
    public HnswIndex Finish(HnswOptions options, int entryNode, int entryLevel, string entryField, long entryOffset)
    {
        int n = NodeCount;
        int top = -1;
        foreach (byte level in _levels)
            top = Math.Max(top, level);
        if (n == 0 ? entryLevel != -1 : (uint)entryNode >= (uint)n)
            throw _reader.Fail(entryField, entryOffset, n == 0
                ? Invariant($"an empty index has top level {entryLevel}, expected none (-1)")
                : Invariant($"entry point {entryNode} is not a node (0..{n - 1})"));
        if (n > 0 && (entryLevel != top || _levels[entryNode] != top))
            throw _reader.Fail(entryField, entryOffset,
                Invariant($"entry point {entryNode} at level {entryLevel} is not on the top level {top} (its own level is {_levels[entryNode]})"));

        var storage = Storage;
        var labels = new long[n];
        var nodes = new int[n];
        for (int node = 0; node < n; node++)
        {
            labels[node] = Label(node);
            nodes[node] = node;
        }
        // Stable by node within a label: sort by (label, node), then the last node of each run holds the label.
        Array.Sort(labels, nodes);
        int kept = 0, hidden = 0, deleted = 0;
        for (int i = 0; i < n; i++)
        {
            int start = i;
            while (i + 1 < n && labels[i + 1] == labels[start])
                i++;
            if (i > start)
                Array.Sort(nodes, start, i - start + 1);
            for (int j = start; j < i; j++)
                storage.SetState(nodes[j], NodeState.Superseded);
            nodes[kept++] = nodes[i];
        }
        for (int node = 0; node < n; node++)
        {
            var state = storage.State(node);
            if (state != NodeState.Live)
                hidden++;
            if (state == NodeState.Deleted)
                deleted++;
        }
        long entry = n == 0 ? -1 : ((long)entryLevel << 32) | (uint)entryNode;
        _storage = null;
        return HnswIndex.FromImported(options, storage, n, _upperUsed, entry, hidden, deleted, nodes.AsSpan(0, kept));
    }

    public void Dispose() => _storage?.Dispose();

    private NativeGraphStorage Storage => _storage ?? throw new ObjectDisposedException(nameof(ImportedGraph));

    private Span<int> Slot(int node, int level)
    {
        if (level == 0)
            return Ints(SectionId.Links0, (long)node * (1 + 2 * M), 1 + 2 * M);
        int offset = MemoryMarshal.Read<int>(Storage.Bytes(SectionId.UpperOffsets, (long)node * sizeof(int), sizeof(int)));
        return Ints(SectionId.UpperLinks, offset + 1 + (long)(level - 1) * (1 + M), 1 + M);
    }

    private Span<int> Ints(SectionId id, long start, int count) =>
        MemoryMarshal.Cast<byte, int>(Storage.WritableBytes(id, start * sizeof(int), count * sizeof(int)));

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NativeHnsw.Graph;

/// <summary>
/// Read access to a graph's blocks, bounded by what was published when the view was taken.
/// Every node id read from a link slot is checked against <see cref="NodeCount"/> and every
/// upper-level offset against the pool length before use, so a damaged mapped file can steer a
/// search to wrong answers at worst, never outside its memory.
/// </summary>
internal readonly unsafe struct GraphView
{
    private readonly float* _vectors;
    private readonly int* _links0;
    private readonly long* _labels;
    private readonly byte* _states;
    private readonly int* _upperOffsets;
    private readonly int* _upperLinks;
    private readonly long _upperLength;

    // Format 1.2 mapped files: the ids of the nodes with upper levels, ascending, then their pool offsets;
    // used when _upperOffsets is null (only upper-level steps look a node up, a few per search).
    private readonly int* _upperIndex;
    private readonly int _upperNodeCount;

    public GraphView(float* vectors, int* links0, long* labels, byte* states, int* upperOffsets, int* upperLinks,
        int nodeCount, long upperLength, int dimensions, int m, byte* codes = null, int codeStride = 0, int* upperIndex = null, int upperNodeCount = 0)
    {
        _upperIndex = upperIndex;
        _upperNodeCount = upperNodeCount;
        Codes = codes;
        CodeStride = codeStride;
        _vectors = vectors;
        _links0 = links0;
        _labels = labels;
        _states = states;
        _upperOffsets = upperOffsets;
        _upperLinks = upperLinks;
        _upperLength = upperLength;
        NodeCount = nodeCount;
        Dimensions = dimensions;
        M = m;
    }

    public int NodeCount { get; }
    public int Dimensions { get; }
    public int M { get; }
    public int M0 => 2 * M;

    /// <summary>The compact rows (null without quantization), <see cref="CodeStride"/> bytes a node.</summary>
    public byte* Codes { get; }

    public int CodeStride { get; }

    public bool HasCodes => Codes != null;

    /// <summary>This view with <paramref name="codes"/> as its compact rows (a float32 index's temporary build codes).</summary>
    public GraphView WithCodes(byte* codes, int codeStride) =>
        new(_vectors, _links0, _labels, _states, _upperOffsets, _upperLinks, NodeCount, _upperLength, Dimensions, M, codes, codeStride, _upperIndex, _upperNodeCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNode(int node) => (uint)node < (uint)NodeCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Vector(int node) => _vectors + (nint)node * Dimensions;

    /// <summary>The node's label; a node's own id when the blocks hold no labels (identity labels, see <see cref="NativeGraphStorage.AllocateWithIdentityLabels"/>).</summary>
    public long Label(int node) => _labels == null ? node : _labels[node];

    public NodeState State(int node) => (NodeState)_states[node];

    /// <summary>The node's level, or −1 when its upper-level record is out of bounds.</summary>
    public int Level(int node)
    {
        int offset = UpperOffset(node);
        if (offset < 0)
            return 0;
        if (offset >= _upperLength)
            return -1;
        int level = _upperLinks[offset];
        return level >= 1 && offset + 1 + (long)level * (1 + M) <= _upperLength ? level : -1;
    }

    /// <summary>
    /// The link slot of <paramref name="node"/> at <paramref name="level"/>: a pointer to its count,
    /// the links following it, or null when the node has no such level (or its record is out of bounds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* Links(int node, int level)
    {
        if (level == 0)
            return _links0 + (nint)node * (1 + M0);
        return UpperLinks(node, level);
    }

    /// <summary>
    /// Hints the cache lines of a link slot the walk is about to read. A level-0 slot is (1 + M0) ints, three lines at
    /// M = 16, and the gather reads all of it: asking for the first line alone left the neighbour-id loads of the
    /// other two to miss (perf: 12 % of a search on the gather's first compare). Upper slots are asked for by their first line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchLinks(int node, int level)
    {
        if (!Sse.IsSupported)
            return;
        if (level != 0)
        {
            Sse.Prefetch0(UpperLinks(node, level));
            return;
        }
        byte* slot = (byte*)(_links0 + (nint)node * (1 + M0));
        int last = (1 + M0) * sizeof(int) - 1;
        for (int at = 0; at < last; at += 64)
            Sse.Prefetch0(slot + at);
        Sse.Prefetch0(slot + last);
    }

    /// <summary>The links of <paramref name="node"/> at <paramref name="level"/> as they stand (empty when it has no such level); not for hot paths.</summary>
    public ReadOnlySpan<int> LinksOf(int node, int level)
    {
        int* slot = Links(node, level);
        return slot == null ? [] : new ReadOnlySpan<int>(slot + 1, LinkCount(slot, level));
    }

    /// <summary>Link count read from a slot, clamped to the level's maximum so a damaged count cannot overrun the slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LinkCount(int* slot, int level)
    {
        uint count = (uint)Volatile.Read(ref *slot);
        uint max = (uint)(level == 0 ? M0 : M);
        return (int)Math.Min(count, max);
    }

    /// <summary>
    /// The pool offset of the node's upper-level record, or −1 when it has none: read from the dense offsets, or
    /// found by binary search among the nodes that have upper levels. The search reads only inside the index.
    /// </summary>
    public int UpperOffset(int node)
    {
        if (_upperOffsets != null)
            return _upperOffsets[node];
        int lo = 0, hi = _upperNodeCount - 1;
        while (lo <= hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            int found = _upperIndex[mid];
            if (found == node)
                return _upperIndex[_upperNodeCount + mid];
            if (found < node)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    private int* UpperLinks(int node, int level)
    {
        int offset = UpperOffset(node);
        if (offset < 0 || offset >= _upperLength)
            return null;
        int nodeLevel = _upperLinks[offset];
        long slot = offset + 1 + (long)(level - 1) * (1 + M);
        if (level > nodeLevel || slot + 1 + M > _upperLength)
            return null;
        return _upperLinks + slot;
    }
}

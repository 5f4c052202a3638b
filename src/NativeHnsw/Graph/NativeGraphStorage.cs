using System.Runtime.InteropServices;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.Graph;

/// <summary>Graph blocks in native memory, 64-byte aligned so vector rows start on cache lines as they do in the file.</summary>
internal sealed unsafe class NativeGraphStorage : GraphStorage
{
    private const nuint Alignment = 64;
    private const nuint HugePageBytes = 2 << 20;
    private const nuint HugeBlockBytes = 8 << 20;

    // label → node, shared by every generation of one index's blocks (growth hands it on); guarded by
    // the index's allocation lock.
    private readonly Dictionary<long, int> _labelMap;

    // Nodes 0.._implicitLabels − 1 hold labels that ascend with node id and are not in the map: a loaded file
    // whose label index is implicit is looked up by binary search over its labels until the first add builds
    // the map (Load then builds no map at all). Guarded like the map; handed on by growth.
    private int _implicitLabels;

    private NativeGraphStorage(int dimensions, int m, int nodeCapacity, long upperCapacity, Dictionary<long, int> labelMap, int codeStride, SectionId codeSection,
        bool identityLabels = false)
        : base(dimensions, m, codeStride, codeSection)
    {
        _labelMap = labelMap;
        try
        {
            NodeCapacity = nodeCapacity;
            UpperCapacity = upperCapacity;
            foreach (var id in GraphSections)
            {
                if (identityLabels && id == SectionId.Labels)
                    continue;
                long bytes = BytesOf(id, nodeCapacity, upperCapacity);
                SetBlock(id, Alloc((nuint)bytes), bytes);
            }
            if (codeStride > 0)
            {
                long bytes = BytesOf(codeSection, nodeCapacity, upperCapacity);
                SetBlock(codeSection, Alloc((nuint)bytes), bytes);
            }
        }
        catch
        {
            Free();
            GC.SuppressFinalize(this);
            throw;
        }
    }

    /// <summary>
    /// Blocks for the given capacities; <paramref name="codeStride"/> is the bytes of a node's compact row in
    /// section <paramref name="codeSection"/>, or 0 for blocks without one.
    /// </summary>
    public static NativeGraphStorage Allocate(int dimensions, int m, int nodeCapacity, long upperCapacity, int codeStride = 0, SectionId codeSection = SectionId.Int8Vectors) =>
        new(dimensions, m, Math.Max(nodeCapacity, 1), Math.Max(upperCapacity, 1), [], codeStride, codeSection);

    /// <summary>Blocks for an index with these options (its compact rows included).</summary>
    public static NativeGraphStorage Allocate(HnswOptions options, int nodeCapacity, long upperCapacity) =>
        Allocate(options.Dimensions, options.M, nodeCapacity, upperCapacity, CompactLayout.StrideOf(options), CompactLayout.RowSection(options.Quantization));

    /// <summary>
    /// Blocks for exactly <paramref name="nodes"/> loaded nodes whose labels are their node ids (label i on node i), with
    /// no label block: the labels are the ids, and 8 bytes a node are not held for them. Full, so the first add grows
    /// (<see cref="Grow"/> writes the labels out); until then lookups are arithmetic.
    /// </summary>
    public static NativeGraphStorage AllocateWithIdentityLabels(HnswOptions options, int nodes, long upperCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var storage = new NativeGraphStorage(options.Dimensions, options.M, nodes, Math.Max(upperCapacity, 1), [], CompactLayout.StrideOf(options),
            CompactLayout.RowSection(options.Quantization), identityLabels: true);
        storage._implicitLabels = nodes;
        return storage;
    }

    public override bool IsReadOnly => false;

    public override int LabelCount => _implicitLabels + _labelMap.Count;

    public override int FindNode(long label)
    {
        if (_implicitLabels > 0)
        {
            if (!Holds(SectionId.Labels))
                return (ulong)label < (ulong)_implicitLabels ? (int)label : -1;
            int found = new ReadOnlySpan<long>(Labels, _implicitLabels).BinarySearch(label);
            return found >= 0 ? found : -1;
        }
        return _labelMap.TryGetValue(label, out int node) ? node : -1;
    }

    /// <summary>
    /// Takes nodes 0..<paramref name="nodeCount"/> − 1 as holding labels that ascend strictly with node id (a file
    /// with an implicit label index, checked by the validator): lookups search the labels until the first add.
    /// Once, before the index is shared.
    /// </summary>
    public void UseImplicitLabels(int nodeCount) => _implicitLabels = nodeCount;

    /// <summary>Moves implicit labels into the map, before an add changes which node holds a label.</summary>
    private void MaterializeLabels()
    {
        _labelMap.EnsureCapacity(_implicitLabels + 1);
        for (int node = 0; node < _implicitLabels; node++)
            _labelMap.Add(Labels[node], node);
        _implicitLabels = 0;
    }

    /// <summary>Builds the label map from a file's label index (node ids sorted by label), once, before the index is shared.</summary>
    /// <returns>−1, or the position of the first entry that names no node below <paramref name="nodeCount"/> or a label
    /// an earlier entry's node holds (only a file whose graph was not validated can have one).</returns>
    public int MapLabels(ReadOnlySpan<int> labelIndex, int nodeCount)
    {
        _labelMap.EnsureCapacity(labelIndex.Length);
        for (int i = 0; i < labelIndex.Length; i++)
        {
            int node = labelIndex[i];
            if ((uint)node >= (uint)nodeCount || !_labelMap.TryAdd(Labels[node], node))
                return i;
        }
        return -1;
    }

    public override ReadOnlySpan<int> SortedLabelIndex()
    {
        if (_implicitLabels > 0)
            return Enumerable.Range(0, _implicitLabels).ToArray();
        var labels = new long[_labelMap.Count];
        var nodes = new int[labels.Length];
        int i = 0;
        foreach (var (label, node) in _labelMap)
        {
            labels[i] = label;
            nodes[i] = node;
            i++;
        }
        Array.Sort(labels, nodes);
        return nodes;
    }

    public override GraphStorage Grow(int nodeCapacity, long upperCapacity, int usedNodes, long usedUpper)
    {
        var next = new NativeGraphStorage(Dimensions, M, nodeCapacity, upperCapacity, _labelMap, CodeStride, CodeSection) { _implicitLabels = _implicitLabels };
        foreach (var id in (SectionId[])[.. GraphSections, CodeSection])
        {
            if (!Holds(id))
                continue;
            long bytes = BytesOf(id, usedNodes, usedUpper);
            if (bytes > 0)
                Buffer.MemoryCopy(At(id, 0, 0), next.At(id, 0, 0), bytes, bytes);
        }
        // Identity labels held no block: the grown blocks have one, so the labels are written out (the ids themselves).
        if (!Holds(SectionId.Labels))
        {
            for (int node = 0; node < _implicitLabels; node++)
                next.Labels[node] = node;
        }
        return next;
    }

    public override int AddNode(int node, long label, int level, int upperOffset)
    {
        if ((uint)node >= (uint)NodeCapacity || (level > 0 && (upperOffset < 0 || upperOffset + 1 + (long)level * (1 + M) > UpperCapacity)))
            throw new ArgumentOutOfRangeException(nameof(node), node, $"Node {node} at level {level} (pool offset {upperOffset}) does not fit blocks of {NodeCapacity} nodes and {UpperCapacity} pool ints.");
        if (!Holds(SectionId.Labels))
            throw new InvalidOperationException("Blocks with identity labels are full: the index grows before it adds.");
        if (_implicitLabels > 0)
            MaterializeLabels();
        Labels[node] = label;
        States[node] = (byte)NodeState.Live;
        Links0[(nint)node * Level0Stride] = 0;
        if (level == 0)
        {
            UpperOffsets[node] = -1;
        }
        else
        {
            new Span<int>(UpperLinks + upperOffset, 1 + level * (1 + M)).Clear();
            UpperLinks[upperOffset] = level;
            UpperOffsets[node] = upperOffset;
        }
        if (!_labelMap.TryGetValue(label, out int previous))
            previous = -1;
        _labelMap[label] = node;
        return previous;
    }

    public override Span<float> WritableVector(int node) => MemoryMarshal.Cast<byte, float>(WritableBytes(SectionId.Vectors, (long)node * Dimensions * sizeof(float), Dimensions * sizeof(float)));

    public override Span<byte> WritableCodes(int node) => WritableBytes(CodeSection, (long)node * CodeStride, CodeStride);

    public override void SetState(int node, NodeState state) => WritableBytes(SectionId.States, node, 1)[0] = (byte)state;

    /// <summary><paramref name="length"/> writable bytes of the block of section <paramref name="id"/> from <paramref name="offset"/>, bounds-checked.</summary>
    public Span<byte> WritableBytes(SectionId id, long offset, int length) => new(At(id, offset, length), length);

    protected override void Free()
    {
        foreach (byte* block in TakeBlocks())
            NativeMemory.AlignedFree(block);
    }

    /// <summary>Bytes the block of a graph section takes for <paramref name="nodes"/> nodes and <paramref name="upper"/> pool ints.</summary>
    private long BytesOf(SectionId id, long nodes, long upper) => id switch
    {
        SectionId.Vectors => nodes * Dimensions * sizeof(float),
        SectionId.Links0 => nodes * Level0Stride * sizeof(int),
        SectionId.Labels => nodes * sizeof(long),
        SectionId.States => nodes,
        SectionId.UpperOffsets => nodes * sizeof(int),
        SectionId.UpperLinks => upper * sizeof(int),
        SectionId.Int8Vectors or SectionId.Float16Vectors => nodes * CodeStride,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "Not a graph block."),
    };

    private static void* Alloc(nuint bytes)
    {
        // A search reads rows and link lists at random across blocks of hundreds of MB: with 4 KiB pages nearly every
        // row costs a TLB miss and a page walk, which a mapped file (whose page cache the kernel may hold in large
        // folios) does not pay. So large blocks start on a 2 MiB boundary and ask for huge pages; small ones would
        // waste most of a huge page, and keep the cache-line alignment.
        nuint alignment = bytes >= HugeBlockBytes ? HugePageBytes : Alignment;
        // Rounded up to the alignment so a block's tail never shares a cache line (or huge page) with a neighbour block.
        nuint size = Math.Max((bytes + alignment - 1) & ~(alignment - 1), alignment);
        void* block = NativeMemory.AlignedAlloc(size, alignment);
        if (alignment == HugePageBytes)
            PageAdvice.HugePages((byte*)block, (long)size);
        return block;
    }
}

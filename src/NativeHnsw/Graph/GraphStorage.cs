using System.Runtime.ConstrainedExecution;
using System.Runtime.InteropServices;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.Graph;

/// <summary>
/// The blocks an HNSW graph lives in, laid out exactly as the index file stores them so that a
/// mapped file and an in-memory index are searched by the same code:
/// vectors (node-major, <c>Dimensions</c> floats each), level-0 link slots (<c>1 + M0</c> ints:
/// count then links), labels (one long per node), node states (one byte per node), upper-level
/// offsets (one int per node, −1 when the node has no upper level) and the upper-level pool
/// (per node with level L ≥ 1: L, then L slots of <c>1 + M</c> ints).
/// </summary>
/// <remarks>
/// Memory is reference-counted: searches hold a lease (<see cref="TryAcquire"/>/<see cref="Release"/>),
/// and <see cref="Dispose"/> only marks the storage retired; the blocks are freed when the last
/// lease ends. That is what lets an index grow, or be disposed, while other threads search.
/// </remarks>
internal abstract unsafe class GraphStorage : CriticalFinalizerObject, IDisposable
{
    private const int BlockSlots = (int)SectionId.UpperIndex + 1;

    // The one section → block mapping: each block sits at its SectionId. A slot left null is a section
    // these blocks do not hold (an in-memory index keeps no label index; it is derived at save).
    private readonly byte*[] _blocks = new byte*[BlockSlots];
    private readonly long[] _blockBytes = new long[BlockSlots];

    // Bit 0: retired. Bits 1..31: lease count.
    private int _state;
    private int _freed;

    protected GraphStorage(int dimensions, int m, int codeStride = 0, SectionId codeSection = SectionId.Int8Vectors)
    {
        CodeStride = codeStride;
        CodeSection = codeSection;
        Dimensions = dimensions;
        M = m;
        M0 = 2 * m;
    }

    ~GraphStorage() => FreeOnce();

    public int Dimensions { get; }
    public int M { get; }
    public int M0 { get; }
    public int Level0Stride => 1 + M0;

    /// <summary>Bytes of a node's compact (int8) row; 0 when the blocks hold none.</summary>
    public int CodeStride { get; }

    /// <summary>The section the compact rows belong to (<see cref="CompactLayout.RowSection"/>).</summary>
    public SectionId CodeSection { get; }

    /// <summary>The sections of the file that are graph blocks, in file order: every storage holds these.</summary>
    public static ReadOnlySpan<SectionId> GraphSections =>
    [
        SectionId.Vectors, SectionId.Links0, SectionId.UpperLinks, SectionId.UpperOffsets, SectionId.Labels, SectionId.States,
    ];

    public float* Vectors => (float*)_blocks[(int)SectionId.Vectors];
    public int* Links0 => (int*)_blocks[(int)SectionId.Links0];
    public long* Labels => (long*)_blocks[(int)SectionId.Labels];
    public byte* States => _blocks[(int)SectionId.States];
    public int* UpperOffsets => (int*)_blocks[(int)SectionId.UpperOffsets];
    public int* UpperLinks => (int*)_blocks[(int)SectionId.UpperLinks];
    public byte* Codes => _blocks[(int)CodeSection];

    /// <summary>Format 1.2 mapped blocks: the sparse upper offsets (ids ascending, then offsets), in place of <see cref="UpperOffsets"/>.</summary>
    public int* UpperIndex => (int*)_blocks[(int)SectionId.UpperIndex];

    /// <summary>Entries of <see cref="UpperIndex"/>; 0 when the blocks hold dense offsets.</summary>
    public int UpperIndexCount => (int)(BlockBytes(SectionId.UpperIndex) / (2 * sizeof(int)));

    /// <summary>Nodes the blocks have room for.</summary>
    public int NodeCapacity { get; protected set; }

    /// <summary>Ints the upper-level pool has room for.</summary>
    public long UpperCapacity { get; protected set; }

    public bool TryAcquire()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & 1) != 0)
                return false;
            if (Interlocked.CompareExchange(ref _state, s + 2, s) == s)
                return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Add(ref _state, -2) == 1)
            FreeOnce();
    }

    public void Dispose()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & 1) != 0)
                return;
            if (Interlocked.CompareExchange(ref _state, s | 1, s) == s)
            {
                if (s == 0)
                    FreeOnce();
                return;
            }
        }
    }

    /// <summary>True for blocks in a read-only mapping: the writing members below throw <see cref="NotSupportedException"/>.</summary>
    public abstract bool IsReadOnly { get; }

    /// <summary>Labels held, deleted ones included. In-memory blocks: the caller holds the index's allocation lock.</summary>
    public abstract int LabelCount { get; }

    /// <summary>
    /// The node holding <paramref name="label"/>, or −1. In-memory blocks: the caller holds the index's
    /// allocation lock (the label map is shared by every generation of one index's blocks). Mapped blocks:
    /// the caller holds a lease or the grow lock.
    /// </summary>
    public abstract int FindNode(long label);

    /// <summary>Node ids sorted by label, as the file's label index stores them. The caller keeps the graph from changing meanwhile.</summary>
    public abstract ReadOnlySpan<int> SortedLabelIndex();

    /// <summary>A copy with room for <paramref name="nodeCapacity"/> nodes and <paramref name="upperCapacity"/> pool ints, holding what is used.</summary>
    public abstract GraphStorage Grow(int nodeCapacity, long upperCapacity, int usedNodes, long usedUpper);

    /// <summary>
    /// Fills the record of a new node: its vector (already in stored form), label, live state, an empty
    /// level-0 slot and, at level ≥ 1, a zeroed upper-level record at <paramref name="upperOffset"/>; then
    /// points the label at it. Returns the node the label named before, or −1. Caller holds the allocation lock.
    /// </summary>
    public abstract int AddNode(int node, long label, int level, int upperOffset);

    /// <summary>The row of a node's vector, to be written before <see cref="AddNode"/> publishes it.</summary>
    public abstract Span<float> WritableVector(int node);

    public abstract void SetState(int node, NodeState state);

    /// <summary>The compact row of a node, written while the node is added or when the quantizer is trained.</summary>
    public abstract Span<byte> WritableCodes(int node);

    /// <summary>The stored vector of <paramref name="node"/> (bounds-checked).</summary>
    public ReadOnlySpan<float> Vector(int node) => MemoryMarshal.Cast<byte, float>(Bytes(SectionId.Vectors, (long)node * Dimensions * sizeof(float), Dimensions * sizeof(float)));

    /// <summary>The state of <paramref name="node"/> (bounds-checked).</summary>
    public NodeState State(int node) => (NodeState)Bytes(SectionId.States, node, 1)[0];

    /// <summary>True when the blocks hold section <paramref name="id"/>.</summary>
    public bool Holds(SectionId id) => (uint)id < BlockSlots && _blocks[(int)id] != null;

    /// <summary>Bytes in the block of section <paramref name="id"/> (its capacity; a file's section is its used prefix).</summary>
    public long BlockBytes(SectionId id) => Holds(id) ? _blockBytes[(int)id] : 0;

    /// <summary><paramref name="length"/> bytes of the block of section <paramref name="id"/> from <paramref name="offset"/>, bounds-checked.</summary>
    public ReadOnlySpan<byte> Bytes(SectionId id, long offset, int length) => new(At(id, offset, length), length);

    /// <summary>A view bounded by what has been published: <paramref name="nodeCount"/> nodes and <paramref name="upperUsed"/> pool ints.</summary>
    public GraphView View(int nodeCount, long upperUsed) =>
        new(Vectors, Links0, Labels, States, UpperOffsets, UpperLinks, Math.Min(nodeCount, NodeCapacity), Math.Min(upperUsed, UpperCapacity), Dimensions, M,
            Codes, Holds(CodeSection) ? CodeStride : 0, UpperIndex, UpperIndexCount);

    /// <summary>True when the first <paramref name="nodeCount"/> labels ascend strictly with node id (then a file needs no label index).</summary>
    public bool LabelsAscend(int nodeCount)
    {
        long* labels = Labels;
        if (labels == null)
            return true; // identity labels: label i on node i

        for (int node = 1; node < nodeCount; node++)
        {
            if (labels[node] <= labels[node - 1])
                return false;
        }
        return true;
    }

    /// <summary>
    /// The sparse upper offsets of the first <paramref name="nodeCount"/> nodes, as a file's upperindex stores
    /// them: the ids of the nodes with an upper level, ascending, then their pool offsets.
    /// </summary>
    public int[] SparseUpperOffsets(int nodeCount)
    {
        if (Holds(SectionId.UpperIndex))
            return new ReadOnlySpan<int>(UpperIndex, 2 * UpperIndexCount).ToArray();
        int* offsets = UpperOffsets;
        int count = 0;
        for (int node = 0; node < nodeCount; node++)
            count += offsets[node] >= 0 ? 1 : 0;
        var index = new int[2 * count];
        int at = 0;
        for (int node = 0; node < nodeCount; node++)
        {
            if (offsets[node] >= 0)
            {
                index[at] = node;
                index[count + at] = offsets[node];
                at++;
            }
        }
        return index;
    }

    /// <summary>Tells the operating system how the blocks will be read; false when that means nothing for them (memory not mapped from a file, or not Linux).</summary>
    public virtual bool Advise(MappedAccess access) => false;

    /// <summary>Brings the blocks into memory ahead of the first search; nothing to do for blocks already in memory.</summary>
    public virtual void Warm(WarmScope scope)
    {
    }

    /// <summary>Releases the blocks; called exactly once, after retirement and the last lease.</summary>
    protected abstract void Free();

    protected void SetBlock(SectionId id, void* start, long bytes)
    {
        _blocks[(int)id] = (byte*)start;
        _blockBytes[(int)id] = bytes;
    }

    /// <summary>Forgets every block (after they were freed), returning their starts for the caller to release.</summary>
    protected byte*[] TakeBlocks()
    {
        var blocks = (byte*[])_blocks.Clone();
        Array.Clear(_blocks);
        Array.Clear(_blockBytes);
        return blocks;
    }

    protected byte* At(SectionId id, long offset, int length)
    {
        if (!Holds(id) || offset < 0 || length < 0 || offset > _blockBytes[(int)id] - length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"{length} bytes at {offset} are outside the {BlockBytes(id)}-byte block of section {id}.");
        return _blocks[(int)id] + offset;
    }

    private void FreeOnce()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            Free();
            GC.SuppressFinalize(this);
        }
    }
}

using System.IO.MemoryMappedFiles;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// Graph blocks that point into a read-only mapping of an index file: nothing is copied or
/// parsed, so opening costs the same for any size, and every process mapping the file shares
/// one copy in the page cache. Only the header is checked at open; the sections are trusted as
/// far as their sizes (which the header checked against the file) and no further: every id read
/// from them is bounds-checked where it is used (<see cref="GraphView"/>, <see cref="FindNode"/>).
/// </summary>
/// <remarks>
/// The mapping is released by <see cref="GraphStorage"/>'s lease protocol: after Dispose and the
/// last search's lease, never under a running search. A file truncated by another process while
/// mapped raises SIGBUS on access, as with any mapping; <see cref="HnswIndex.Save"/> never
/// truncates, it renames a new file over the old.
/// </remarks>
internal sealed unsafe class MappedGraphStorage : GraphStorage
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int _nodeCount;
    private byte* _base;

    private MappedGraphStorage(IndexHeader header, string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* mapping, Int8Quantizer? quantizer)
        : base(header.Options.Dimensions, header.Options.M, header.HasCompactRows ? CompactLayout.StrideOf(header.Options) : 0, CompactLayout.RowSection(header.Options.Quantization))
    {
        Header = header;
        FilePath = path;
        _file = file;
        _view = view;
        _base = mapping;
        _nodeCount = header.NodeCount;
        NodeCapacity = header.NodeCount;
        UpperCapacity = header.UpperUsed;
        foreach (var section in header.Sections)
        {
            // A section a later minor version added has no block here: it is never read.
            if (section.Id is >= SectionId.Vectors and <= SectionId.UpperIndex)
                SetBlock(section.Id, mapping + section.Offset, section.Length);
        }
        LabelIndex = Holds(SectionId.LabelIndex) ? (int*)At(SectionId.LabelIndex, 0, 0) : null;
        Quantizer = quantizer;
    }

    public IndexHeader Header { get; }

    /// <summary>The int8 quantizer the file holds (its parameters checked at open), or null: the compact rows are searched in place.</summary>
    public Int8Quantizer? Quantizer { get; }

    public string FilePath { get; }

    /// <summary>Node ids sorted by label: <see cref="IndexHeader.LabelCount"/> of them, searched in place; null when the file leaves it implicit (node i is entry i).</summary>
    public int* LabelIndex { get; }

    public static MappedGraphStorage Open(string path)
    {
        var stream = IndexFile.OpenRead(path);
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            var header = IndexHeader.Read(stream.SafeFileHandle, path);
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* mapping = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapping);
            acquired = true;
            mapping += view.PointerOffset;
            var quantizer = ReadQuantizer(header, path, mapping);
            return new MappedGraphStorage(header, path, file, view, mapping, quantizer);
        }
        catch (Exception e)
        {
            if (acquired)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            if (file is not null)
                file.Dispose();
            else
                stream.Dispose();
            if (e is IOException or UnauthorizedAccessException && e is not IndexFormatException)
                throw new IndexFormatException(path, null, -1, "the file cannot be mapped: " + e.Message, e);
            throw;
        }
    }

    /// <summary>The quantizer's parameters, read from the mapping and checked (finite, scales ≥ 0) before the blocks are built.</summary>
    private static Int8Quantizer? ReadQuantizer(IndexHeader header, string path, byte* mapping)
    {
        if (!header.HasInt8)
            return null;
        var section = header.Section(SectionId.Quantizer);
        try
        {
            return Int8Quantizer.ReadParameters(new ReadOnlySpan<byte>(mapping + section.Offset, (int)section.Length), header.Options.Dimensions);
        }
        catch (ArgumentException e)
        {
            throw new IndexFormatException(path, section.Name, section.Offset, e.Message, e);
        }
    }

    public override bool IsReadOnly => true;

    public override int LabelCount => Header.LabelCount;

    public override ReadOnlySpan<int> SortedLabelIndex()
    {
        return LabelIndex != null ? new ReadOnlySpan<int>(LabelIndex, Header.LabelCount) : Enumerable.Range(0, Header.LabelCount).ToArray();
    }

    public override GraphStorage Grow(int nodeCapacity, long upperCapacity, int usedNodes, long usedUpper) => throw ReadOnly();

    public override int AddNode(int node, long label, int level, int upperOffset) => throw ReadOnly();

    public override Span<float> WritableVector(int node) => throw ReadOnly();

    public override void SetState(int node, NodeState state) => throw ReadOnly();

    public override Span<byte> WritableCodes(int node) => throw ReadOnly();

    /// <summary>
    /// Binary search of the label index (or, where it is implicit, of the labels): the node holding <paramref name="label"/>, or −1. Each node id
    /// read is checked before it is used to read a label, so a damaged index throws instead of reading
    /// outside the mapping.
    /// </summary>
    public override int FindNode(long label)
    {
        int lo = 0, hi = Header.LabelCount - 1;
        while (lo <= hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            int node = LabelIndex == null ? mid : LabelIndex[mid];
            if ((uint)node >= (uint)_nodeCount)
                throw new IndexFormatException(FilePath, IndexFormat.NameOf(SectionId.LabelIndex), Header.Section(SectionId.LabelIndex).Offset + (long)mid * sizeof(int),
                    $"entry {mid} names node {node}, outside 0..{_nodeCount - 1}");
            long found = Labels[node];
            if (found == label)
                return node;
            if (found < label)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    public override bool Advise(MappedAccess access) => PageAdvice.Advise(_base, Header.FileLength, access);

    /// <summary>
    /// Reads in, first and synchronously, what every search starts with: the header, the upper levels, the states and the
    /// entry point's level-0 neighbourhood (its links and the rows of its neighbours). Then the big sections of the
    /// scope are requested from the kernel all at once (WILLNEED: its reads run beside ours) and populated in the order a search needs them: level-0
    /// links, the rows the walk measures, the rest.
    /// </summary>
    public override void Warm(WarmScope scope)
    {
        ReadOnlySpan<SectionId> small = [SectionId.UpperIndex, SectionId.UpperOffsets, SectionId.UpperLinks, SectionId.States];
        // The small sections are requested together, then populated.
        foreach (var id in small)
            PageAdvice.WillNeed(At(id), BlockBytes(id));
        PageAdvice.Populate(_base, Header.Size);
        foreach (var id in small)
            PageAdvice.Populate(At(id), BlockBytes(id));
        TouchEntryNeighbourhood();
        bool compact = Holds(CodeSection);
        Span<SectionId> big = stackalloc SectionId[4];
        int count = 0;
        big[count++] = SectionId.Links0;
        if (compact)
            big[count++] = CodeSection;
        if (!compact || scope == WarmScope.File)
            big[count++] = SectionId.Vectors;
        big[count++] = SectionId.Labels;
        big = big[..count];
        if (scope == WarmScope.File)
        {
            PageAdvice.WillNeed(_base, Header.FileLength);
        }
        else
        {
            foreach (var id in big)
                PageAdvice.WillNeed(At(id), BlockBytes(id));
        }
        foreach (var id in big)
            PageAdvice.Populate(At(id), BlockBytes(id));
        if (scope == WarmScope.File)
            PageAdvice.Populate(_base, Header.FileLength);
    }

    private byte* At(SectionId id) => Holds(id) ? At(id, 0, 0) : null;

    /// <summary>The entry point's level-0 record and the rows its level-0 neighbours are measured by: the first expansion of a search that lands near it.</summary>
    private void TouchEntryNeighbourhood()
    {
        int entry = Header.EntryNode;
        if ((uint)entry >= (uint)_nodeCount)
            return;
        var links = new ReadOnlySpan<int>(Links0 + (long)entry * Level0Stride, Level0Stride);
        int degree = Math.Min(links[0], M0);
        TouchRow(entry);
        for (int i = 1; i <= degree; i++)
        {
            if ((uint)links[i] < (uint)_nodeCount)
                TouchRow(links[i]);
        }
    }

    private void TouchRow(int node)
    {
        bool compact = Holds(CodeSection);
        if (compact)
            PageAdvice.Touch(Codes + (long)node * CodeStride, CodeStride);
        else
            PageAdvice.Touch((byte*)(Vectors + (long)node * Dimensions), (long)Dimensions * sizeof(float));
        PageAdvice.Touch((byte*)(Links0 + (long)node * Level0Stride), (long)Level0Stride * sizeof(int));
    }

    private static NotSupportedException ReadOnly() => new("The blocks of a mapped index file are read-only.");

    protected override void Free()
    {
        // May run on the finalizer thread, after the view's own SafeHandle was finalized; the pointer
        // reference taken at open is what keeps the mapping alive until this release.
        if (_base is null)
            return;
        _base = null;
        TakeBlocks();
        try
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

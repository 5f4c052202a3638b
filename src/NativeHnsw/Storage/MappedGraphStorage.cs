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
            if (section.Id is >= SectionId.Vectors and <= SectionId.Float16Vectors)
                SetBlock(section.Id, mapping + section.Offset, section.Length);
        }
        LabelIndex = (int*)At(SectionId.LabelIndex, 0, 0);
        Quantizer = quantizer;
    }

    public IndexHeader Header { get; }

    /// <summary>The int8 quantizer the file holds (its parameters checked at open), or null: the compact rows are searched in place.</summary>
    public Int8Quantizer? Quantizer { get; }

    public string FilePath { get; }

    /// <summary>Node ids sorted by label: <see cref="IndexHeader.LabelCount"/> of them, searched in place.</summary>
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

    public override ReadOnlySpan<int> SortedLabelIndex() => new(LabelIndex, Header.LabelCount);

    public override GraphStorage Grow(int nodeCapacity, long upperCapacity, int usedNodes, long usedUpper) => throw ReadOnly();

    public override int AddNode(int node, long label, int level, int upperOffset) => throw ReadOnly();

    public override Span<float> WritableVector(int node) => throw ReadOnly();

    public override void SetState(int node, NodeState state) => throw ReadOnly();

    public override Span<byte> WritableCodes(int node) => throw ReadOnly();

    /// <summary>
    /// Binary search of the label index: the node holding <paramref name="label"/>, or −1. Each node id
    /// read is checked before it is used to read a label, so a damaged index throws instead of reading
    /// outside the mapping.
    /// </summary>
    public override int FindNode(long label)
    {
        int lo = 0, hi = Header.LabelCount - 1;
        while (lo <= hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            int node = LabelIndex[mid];
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

using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// One load's reads and checks, spread over every core: the sections are cut into pieces of whole rows, each
/// read straight into its final block; each section is hashed in order by whichever thread finishes the piece
/// its hash waits for (XxHash3 is sequential within a section, so sections hash in parallel with each other and
/// with the reads); vector rows are checked by the thread that read them; the graph is validated as soon as its
/// sections are in, beside the reads of the vectors; the compact rows are checked in node ranges at the end.
/// </summary>
/// <remarks>
/// <para>The work is a list claimed in order by the calling thread and up to <c>ProcessorCount − 1</c> pool
/// threads. A pool thread that starts late finds less (or nothing) to do, so a busy core costs no waiting: the
/// caller only waits for work another thread has already claimed.</para>
/// <para>Problems are reported as a sequential reader would meet them: every problem found is kept with its
/// place in file order (padding, then each piece's read, then the checksum, then what is checked after it,
/// section by section), graph problems after every section problem and compact-row problems after those, and
/// the first is thrown. So a damaged file fails with the same exception whatever the threads did.</para>
/// </remarks>
internal sealed class ParallelLoad
{
    /// <summary>
    /// Bytes a piece aims at: small enough that two cores share even a 10k-vector file evenly and that a piece
    /// is still in cache when it is hashed, large enough that a read call's cost is noise.
    /// </summary>
    private const int TargetPieceBytes = 256 << 10;

    /// <summary>Nodes per compact-row check item.</summary>
    private const int RowsPerCheck = 2048;

    private const int ValidateItem = -1;

    /// <summary>The first key of the problems after the sections' (<see cref="ValidateKey"/>).</summary>
    private const long GraphKeys = 1L << 62;

    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly IndexHeader _header;
    private readonly NativeGraphStorage _storage;
    private readonly int[]? _labelIndex;
    private readonly Part[] _parts;
    private readonly Item[] _items;
    private readonly bool _full;
    private readonly Lock _failureGate = new();
    private int _next;
    private int _remaining;
    private int _graphRemaining;
    private int _rowsRemaining;
    private long _failureKey = long.MaxValue;
    private ExceptionDispatchInfo? _failure;
    private Int8Quantizer? _quantizer;
    private GraphSummary _summary;
    private volatile bool _labelsAreNotIds;

    private ParallelLoad(SafeFileHandle handle, string path, IndexHeader header, NativeGraphStorage storage, int[]? labelIndex, LoadCheck check)
    {
        _full = check == LoadCheck.Full;
        _handle = handle;
        _path = path;
        _header = header;
        _storage = storage;
        _labelIndex = labelIndex;
        var sections = header.Sections;
        _parts = new Part[sections.Length];
        long from = header.Size;
        for (int i = 0; i < sections.Length; i++)
        {
            _parts[i] = new Part(sections[i], i, from, KindOf(sections[i].Id, storage), header.Options);
            from = sections[i].End;
        }
        _items = Plan();
        _remaining = _items.Length;
    }

    private enum Kind
    {
        /// <summary>Read into its block, piece by piece.</summary>
        Block,

        /// <summary>The float32 rows: a block whose rows are checked as they are read.</summary>
        Vectors,

        /// <summary>The label index, into the array the label map is built from.</summary>
        LabelIndex,

        /// <summary>The sparse upper offsets (1.2), spread into the dense per-node offsets once hashed.</summary>
        UpperIndex,

        /// <summary>The int8 quantizer's parameters.</summary>
        Quantizer,

        /// <summary>A section a later minor version added: checked for damage, then ignored.</summary>
        Unknown,

        /// <summary>Labels the blocks do not hold (identity labels): hashed, and each checked to be its node's id.</summary>
        IdentityLabels,
    }

    /// <summary>
    /// Reads and checks every section of <paramref name="header"/>'s file into <paramref name="storage"/> (and the
    /// label index into <paramref name="labelIndex"/>, null when it is implicit), validates the graph and checks
    /// the compact rows (with <see cref="LoadCheck.Checksums"/>: only the sections, <see cref="DeferredCheck"/> does the
    /// rest later); throws the first problem in file order. Returns the graph's summary (default when not validated) and the quantizer;
    /// null when <paramref name="storage"/> holds no labels (identity labels) and the file's labels are intact but
    /// not the node ids, so that the caller reads it the ordinary way, whose checks name what is wrong.
    /// </summary>
    public static (GraphSummary Summary, Int8Quantizer? Quantizer)? Run(SafeFileHandle handle, string path, IndexHeader header, NativeGraphStorage storage, int[]? labelIndex,
        LoadCheck check = LoadCheck.Full)
    {
        var load = new ParallelLoad(handle, path, header, storage, labelIndex, check);
        int helpers = Math.Min(Environment.ProcessorCount, load._items.Length) - 1;
        for (int i = 0; i < helpers; i++)
            ThreadPool.UnsafeQueueUserWorkItem(static l => l.Work(), load, preferLocal: false);
        load.Work();
        // Whatever is still running was claimed by a thread that is running it: a bounded wait.
        WaitUntilZero(ref load._remaining);
        // A section's problem is the same either way; what the graph checks found assumed the labels were the ids.
        if (load._labelsAreNotIds && load._failureKey >= GraphKeys)
            return null;
        load._failure?.Throw();
        return (load._summary, load._quantizer);
    }

    private static Kind KindOf(SectionId id, NativeGraphStorage storage) => id switch
    {
        SectionId.Vectors => Kind.Vectors,
        SectionId.Quantizer => Kind.Quantizer,
        SectionId.UpperIndex => Kind.UpperIndex,
        SectionId.LabelIndex => Kind.LabelIndex,
        SectionId.Labels when !storage.Holds(id) => Kind.IdentityLabels,
        _ => storage.Holds(id) ? Kind.Block : Kind.Unknown,
    };

    /// <summary>What the graph validator reads.</summary>
    private static bool IsGraph(Part part) =>
        part.Kind is Kind.LabelIndex or Kind.UpperIndex || (part.Kind == Kind.Block && part.Section.Id is not (SectionId.Int8Vectors or SectionId.Float16Vectors));

    /// <summary>What the compact-row checks read: the float32 rows, the compact rows, the quantizer.</summary>
    private static bool IsRows(Part part) =>
        part.Kind is Kind.Vectors or Kind.Quantizer || part.Section.Id is SectionId.Int8Vectors or SectionId.Float16Vectors;

    /// <summary>
    /// The claim order: the graph's pieces, then its validation (which waits only for pieces already claimed), then the
    /// vectors and the rest, then the compact-row checks (waiting likewise for the rows).
    /// </summary>
    private Item[] Plan()
    {
        var items = new List<Item>();
        foreach (var part in _parts.Where(IsGraph))
            AddPieces(items, part);
        _graphRemaining = items.Count;
        if (_full)
            items.Add(new Item(ValidateItem, 0));
        foreach (var part in _parts.Where(p => !IsGraph(p)))
            AddPieces(items, part);
        _rowsRemaining = _parts.Where(IsRows).Sum(p => p.PieceCount);
        var codes = _header.Options.Quantization;
        if (_full && ((codes == VectorQuantization.Int8 && _header.HasInt8) || codes == VectorQuantization.Float16))
        {
            for (int node = 0; node < _header.NodeCount; node += RowsPerCheck)
                items.Add(new Item(-2 - node / RowsPerCheck, node));
        }
        return [.. items];
    }

    private static void AddPieces(List<Item> items, Part part)
    {
        for (int piece = 0; piece < part.PieceCount; piece++)
            items.Add(new Item(part.Order, piece));
    }

    private void Work()
    {
        while (true)
        {
            int i = Interlocked.Increment(ref _next) - 1;
            if (i >= _items.Length)
                return;
            var item = _items[i];
            try
            {
                if (item.Part >= 0)
                    ReadPiece(_parts[item.Part], item.Piece);
                else if (item.Part == ValidateItem)
                    Validate();
                else
                    CheckRows(item.Piece);
            }
            catch (Exception e)
            {
                // Any exception a piece throws is a problem at the piece's place; other pieces still finish.
                Fail(item.Part >= 0 ? Key(_parts[item.Part], item.Piece, Phase.Read) : ValidateKey(item), e);
            }
            finally
            {
                if (item.Part >= 0)
                {
                    var part = _parts[item.Part];
                    if (IsGraph(part))
                        Interlocked.Decrement(ref _graphRemaining);
                    if (IsRows(part))
                        Interlocked.Decrement(ref _rowsRemaining);
                }
                Interlocked.Decrement(ref _remaining);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPiece(Part part, int piece)
    {
        var section = part.Section;
        if (piece == 0 && CheckPadding(part) is { } padding)
            Fail(Key(part, 0, Phase.Padding), padding);
        switch (part.Kind)
        {
            case Kind.UpperIndex:
                ReadUpperIndex(part);
                return;
            case Kind.Quantizer:
                ReadQuantizer(part);
                return;
            case Kind.Unknown or Kind.IdentityLabels:
                ReadUnheld(part);
                return;
        }
        long offset = (long)piece * part.PieceBytes;
        int n = (int)Math.Min(part.PieceBytes, section.Length - offset);
        var span = part.Kind == Kind.LabelIndex
            ? MemoryMarshal.AsBytes(_labelIndex.AsSpan((int)(offset / sizeof(int)), n / sizeof(int)))
            : _storage.WritableBytes(section.Id, offset, n);
        // A piece that fails to read throws here and is never marked read: its section's hash stops before it.
        IndexFile.ReadExactly(_handle, span, section.Offset + offset, _path, section.Name);
        if (_full && part.Kind == Kind.Vectors && GraphValidator.FirstBadRow(MemoryMarshal.Cast<byte, float>(span), part.Dimensions, part.Cosine) is int bad and >= 0)
            part.NoteBadRow(offset / part.RowBytes + bad);
        part.MarkRead(piece);
        if (part.TryTakeHash())
            HashInOrder(part);
    }

    /// <summary>Hashes the section's read pieces in order, while they last; the caller holds the section's hash turn.</summary>
    private void HashInOrder(Part part)
    {
        var section = part.Section;
        while (part.NextToHash() is int piece and >= 0)
        {
            long offset = (long)piece * part.PieceBytes;
            int n = (int)Math.Min(part.PieceBytes, section.Length - offset);
            ReadOnlySpan<byte> span = part.Kind == Kind.LabelIndex
                ? MemoryMarshal.AsBytes(_labelIndex.AsSpan((int)(offset / sizeof(int)), n / sizeof(int)))
                : _storage.Bytes(section.Id, offset, n);
            part.Hash.Append(span);
            if (part.Hashed(piece))
            {
                if (CheckHash(section, part.Hash.GetCurrentHashAsUInt64()) is { } mismatch)
                    Fail(Key(part, part.PieceCount, Phase.Checksum), mismatch);
                else if (part.BadRow >= 0)
                    Fail(Key(part, part.PieceCount, Phase.After), GraphValidator.BadRow(_path, section, (int)part.BadRow, _storage.Vector((int)part.BadRow)));
                return;
            }
        }
    }

    /// <summary>
    /// The sparse upper offsets (1.2) spread into the dense per-node offsets an in-memory index keeps: every node −1,
    /// then each listed node its offset. The ids must ascend strictly inside 0..N − 1, which makes the dense form
    /// say exactly what the sparse one does; the validator then checks the records as for any file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ReadUpperIndex(Part part)
    {
        var section = part.Section;
        int count = _header.UpperNodeCount;
        int nodes = _header.NodeCount;
        int* offsets = _storage.UpperOffsets;
        var rented = ArrayPool<int>.Shared.Rent(2 * count);
        try
        {
            var index = rented.AsSpan(0, 2 * count);
            var bytes = MemoryMarshal.AsBytes(index);
            IndexFile.ReadExactly(_handle, bytes, section.Offset, _path, section.Name);
            if (CheckHash(section, XxHash3.HashToUInt64(bytes)) is { } mismatch)
            {
                Fail(Key(part, 1, Phase.Checksum), mismatch);
                return;
            }
            new Span<int>(offsets, nodes).Fill(-1);
            for (int i = 0; i < count; i++)
            {
                int node = index[i];
                if ((uint)node >= (uint)nodes || (i > 0 && node <= index[i - 1]))
                    throw new IndexFormatException(_path, section.Name, section.Offset + (long)i * sizeof(int),
                        $"entry {i} names node {node}: the ids must ascend strictly within 0..{nodes - 1}");
                int offset = index[count + i];
                if (offset < 0)
                    throw new IndexFormatException(_path, section.Name, section.Offset + (long)(count + i) * sizeof(int),
                        $"node {node}'s upper-level offset is {offset}; a listed node has a record in the pool");
                offsets[node] = offset;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    private void ReadQuantizer(Part part)
    {
        var section = part.Section;
        var rented = ArrayPool<byte>.Shared.Rent((int)section.Length);
        try
        {
            var bytes = rented.AsSpan(0, (int)section.Length);
            IndexFile.ReadExactly(_handle, bytes, section.Offset, _path, section.Name);
            if (CheckHash(section, XxHash3.HashToUInt64(bytes)) is { } mismatch)
            {
                Fail(Key(part, 1, Phase.Checksum), mismatch);
                return;
            }
            try
            {
                _quantizer = Int8Quantizer.ReadParameters(bytes, _header.Options.Dimensions);
            }
            catch (ArgumentException e)
            {
                throw new IndexFormatException(_path, section.Name, section.Offset, e.Message, e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A section the blocks do not hold, hashed through a pooled buffer: one a later minor version added, or identity labels (each checked to be its node id).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadUnheld(Part part)
    {
        var section = part.Section;
        // Whole longs, for the labels.
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(TargetPieceBytes, Math.Max(section.Length, 1)));
        try
        {
            var hash = new XxHash3();
            int whole = scratch.Length & ~(sizeof(long) - 1);
            for (long done = 0; done < section.Length;)
            {
                int n = (int)Math.Min(whole, section.Length - done);
                var bytes = scratch.AsSpan(0, n);
                IndexFile.ReadExactly(_handle, bytes, section.Offset + done, _path, section.Name);
                hash.Append(bytes);
                if (part.Kind == Kind.IdentityLabels && !AreIds(MemoryMarshal.Cast<byte, long>(bytes), done / sizeof(long)))
                    _labelsAreNotIds = true;
                done += n;
            }
            if (CheckHash(section, hash.GetCurrentHashAsUInt64()) is { } mismatch)
                Fail(Key(part, 1, Phase.Checksum), mismatch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>True when <paramref name="labels"/> are <paramref name="first"/>, <paramref name="first"/> + 1, …</summary>
    private static bool AreIds(ReadOnlySpan<long> labels, long first)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != first + i)
                return false;
        }
        return true;
    }

    /// <summary>The graph's invariants, once its sections are in; the vectors are still being read meanwhile.</summary>
    private void Validate()
    {
        WaitUntilZero(ref _graphRemaining);
        _summary = GraphValidator.Check(_path, _header, _storage, _labelIndex);
    }

    /// <summary>The compact rows of nodes <paramref name="first"/> .. + <see cref="RowsPerCheck"/>, once every row is in.</summary>
    private void CheckRows(int first)
    {
        WaitUntilZero(ref _rowsRemaining);
        GraphValidator.CheckCompactRows(_path, _header, _storage, _quantizer, first, Math.Min(_header.NodeCount, first + RowsPerCheck));
    }

    private IndexFormatException? CheckHash(SectionEntry section, ulong actual) =>
        actual == section.Checksum
            ? null
            : new IndexFormatException(_path, section.Name, section.Offset,
                $"checksum mismatch (expected {IndexFile.Hex(section.Checksum)}, found {IndexFile.Hex(actual)})");

    /// <summary>The alignment gap before a section: under a page (the header checked that), and all zeros.</summary>
    private IndexFormatException? CheckPadding(Part part)
    {
        var section = part.Section;
        int gap = (int)(section.Offset - part.PaddingFrom);
        if (gap <= 0)
            return null;
        Span<byte> padding = stackalloc byte[gap];
        IndexFile.ReadExactly(_handle, padding, part.PaddingFrom, _path, section.Name);
        int bad = padding.IndexOfAnyExcept((byte)0);
        return bad < 0 ? null : new IndexFormatException(_path, section.Name, part.PaddingFrom + bad, "the alignment padding before the section is not zero");
    }

    private void Fail(long key, Exception problem)
    {
        lock (_failureGate)
        {
            if (key < _failureKey)
            {
                _failureKey = key;
                _failure = ExceptionDispatchInfo.Capture(problem);
            }
        }
    }

    /// <summary>Where a section's problem falls in file order: section (under 64, the header checked), then piece, then phase (a checksum after every piece).</summary>
    private static long Key(Part part, int piece, Phase phase) => ((long)part.Order << 40) | ((long)piece << 2) | (long)phase;

    /// <summary>After every section's problems: the graph's, then the compact rows' (by node).</summary>
    private static long ValidateKey(Item item) => GraphKeys + (item.Part == ValidateItem ? 0 : 1 + (long)item.Piece);

    private static void WaitUntilZero(ref int counter)
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref counter) != 0)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    private enum Phase
    {
        Padding = 0,
        Read = 1,
        Checksum = 2,
        After = 3,
    }

    /// <summary>One claimable piece of work: piece <see cref="Piece"/> of part <see cref="Part"/>, the validation, or a compact-row check from node <see cref="Piece"/>.</summary>
    private readonly record struct Item(int Part, int Piece);

    /// <summary>One section's reading state: its pieces, which are read, and its hash, advanced by one thread at a time in piece order.</summary>
    private sealed class Part
    {
        private readonly Lock _gate = new();
        private readonly bool[] _read;
        private int _hashed;
        private bool _hashing;
        private long _badRow = long.MaxValue;

        public Part(SectionEntry section, int order, long paddingFrom, Kind kind, HnswOptions options)
        {
            Section = section;
            Order = order;
            PaddingFrom = paddingFrom;
            Kind = kind;
            Dimensions = options.Dimensions;
            Cosine = options.Metric == DistanceMetric.Cosine;
            RowBytes = options.Dimensions * sizeof(float);
            // Vector pieces are whole rows, so each can be checked alone; every other piece is whole ints.
            PieceBytes = kind == Kind.Vectors ? (long)Math.Max(1, TargetPieceBytes / RowBytes) * RowBytes : TargetPieceBytes;
            PieceCount = kind is Kind.UpperIndex or Kind.Quantizer or Kind.Unknown or Kind.IdentityLabels ? 1 : (int)Math.Max(1, (section.Length + PieceBytes - 1) / PieceBytes);
            _read = new bool[PieceCount];
        }

        public SectionEntry Section { get; }
        public int Order { get; }
        public long PaddingFrom { get; }
        public Kind Kind { get; }
        public int Dimensions { get; }
        public bool Cosine { get; }
        public int RowBytes { get; }
        public long PieceBytes { get; }
        public int PieceCount { get; }
        public XxHash3 Hash { get; } = new();

        /// <summary>The first vector row found bad, or −1.</summary>
        public long BadRow => _badRow == long.MaxValue ? -1 : _badRow;

        public void NoteBadRow(long node)
        {
            lock (_gate)
                _badRow = Math.Min(_badRow, node);
        }

        public void MarkRead(int piece)
        {
            lock (_gate)
                _read[piece] = true;
        }

        /// <summary>True when the caller now holds the hash turn (nobody else is hashing this section).</summary>
        public bool TryTakeHash()
        {
            lock (_gate)
            {
                if (_hashing || _hashed >= PieceCount || !_read[_hashed])
                    return false;
                _hashing = true;
                return true;
            }
        }

        /// <summary>The next piece to hash, or −1 (the turn is given up) when it is not read yet.</summary>
        public int NextToHash()
        {
            lock (_gate)
            {
                if (_hashed < PieceCount && _read[_hashed])
                    return _hashed;
                _hashing = false;
                return -1;
            }
        }

        /// <summary>Records <paramref name="piece"/> as hashed; true when it was the last one (the turn ends with it).</summary>
        public bool Hashed(int piece)
        {
            lock (_gate)
            {
                _hashed = piece + 1;
                if (_hashed < PieceCount)
                    return false;
                _hashing = false;
                return true;
            }
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// The header of an index file: the options, the counts, the entry point and the section table,
/// closed by an XxHash3 of all of it. <see cref="Read"/> parses into locals, checks every field and
/// the layout against the file's real length, and only then builds the header, so nothing that
/// uses a header ever sees an unchecked value. It reads the header bytes only, never a section.
/// </summary>
internal sealed class IndexHeader
{
    private const string HeaderSection = "header";

    // Field offsets in the fixed part (docs/FORMAT.md, "Header").
    private const int MagicAt = 0;
    private const int MajorAt = 8;
    private const int MinorAt = 10;
    private const int HeaderSizeAt = 12;
    private const int FlagsAt = 16;
    private const int MetricAt = 20;
    private const int DimensionsAt = 24;
    private const int MAt = 28;
    private const int EfConstructionAt = 32;
    private const int DefaultEfAt = 36;
    private const int SeedAt = 40;
    private const int NodeCountAt = 48;
    private const int LabelCountAt = 52;
    private const int DeletedCountAt = 56;
    private const int HiddenCountAt = 60;
    private const int UpperUsedAt = 64;
    private const int EntryNodeAt = 72;
    private const int EntryLevelAt = 76;
    private const int FileLengthAt = 80;
    private const int SectionCountAt = 88;
    private const int InitialCapacityAt = 92;

    // Format 1.1, in bytes 1.0 reserved (zero there means the 1.0 behaviour, so a 1.0 file reads as before).
    private const int QuantizationAt = 96;
    private const int TrainingSizeAt = 100;
    private const int OptionFlagsAt = 104;

    /// <summary>Option flag bit 0: searches return the compact estimates (no float32 re-ranking).</summary>
    private const uint NoRerankFlag = 1;

    /// <summary>Stored as 0 in the header: what a 1.0 file (which has no such field) means.</summary>
    private const int DefaultTrainingSize = 1024;

    private IndexHeader(ushort minor, HnswOptions options, int nodeCount, int labelCount, int deletedCount, int hiddenCount,
        long upperUsed, int entryNode, int entryLevel, long fileLength, SectionEntry[] sections)
    {
        Minor = minor;
        Options = options;
        NodeCount = nodeCount;
        LabelCount = labelCount;
        DeletedCount = deletedCount;
        HiddenCount = hiddenCount;
        UpperUsed = upperUsed;
        EntryNode = entryNode;
        EntryLevel = entryLevel;
        FileLength = fileLength;
        Sections = sections;
    }

    /// <summary>The file's minor version.</summary>
    public ushort Minor { get; }

    public HnswOptions Options { get; }
    public int NodeCount { get; }

    /// <summary>True when the file holds a trained int8 quantizer and its rows (format 1.1).</summary>
    public bool HasInt8 => Array.Exists(Sections, s => s.Id == SectionId.Int8Vectors);

    /// <summary>True when the file holds compact rows (int8 once trained, float16 always).</summary>
    public bool HasCompactRows => HasInt8 || Array.Exists(Sections, s => s.Id == SectionId.Float16Vectors);

    /// <summary>Labels held (live or deleted): the entries of the label index.</summary>
    public int LabelCount { get; }

    public int DeletedCount { get; }

    /// <summary>Nodes not live: deleted plus superseded.</summary>
    public int HiddenCount { get; }

    public long UpperUsed { get; }
    public int EntryNode { get; }
    public int EntryLevel { get; }
    public long FileLength { get; }
    public SectionEntry[] Sections { get; }

    public int Size => IndexFormat.HeaderSize(Sections.Length);

    /// <summary>The entry point packed as <see cref="HnswIndex"/> keeps it: level in the high half, node in the low; −1 when empty.</summary>
    public long PackedEntry => EntryNode < 0 ? -1 : ((long)EntryLevel << 32) | (uint)EntryNode;

    public SectionEntry Section(SectionId id)
    {
        foreach (var s in Sections)
        {
            if (s.Id == id)
                return s;
        }
        throw new InvalidOperationException($"No section {id}: Read guarantees every known section.");
    }

    /// <summary>The layout this version writes for an index of the given shape; checksums are filled in by <see cref="WithChecksums"/>.</summary>
    public static IndexHeader ForIndex(HnswOptions options, int nodeCount, int labelCount, int deletedCount, int hiddenCount,
        long upperUsed, long packedEntry, bool quantized = false)
    {
        SectionId[] ids = options.Quantization switch
        {
            VectorQuantization.Int8 when quantized => [.. IndexFormat.WrittenSections, .. IndexFormat.Int8Sections],
            VectorQuantization.Float16 => [.. IndexFormat.WrittenSections, SectionId.Float16Vectors],
            _ => IndexFormat.WrittenSections.ToArray(),
        };
        var sections = new SectionEntry[ids.Length];
        long position = IndexFormat.HeaderSize(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            long offset = IndexFormat.Align(position, IndexFormat.AlignmentOf(ids[i]));
            long length = ExpectedLength(ids[i], options, nodeCount, labelCount, upperUsed);
            sections[i] = new SectionEntry(ids[i], offset, length, 0);
            position = offset + length;
        }
        int entryNode = packedEntry < 0 ? -1 : (int)(uint)packedEntry;
        int entryLevel = packedEntry < 0 ? -1 : (int)(packedEntry >> 32);
        return new IndexHeader(IndexFormat.MinorVersionFor(options), options, nodeCount, labelCount, deletedCount, hiddenCount, upperUsed, entryNode, entryLevel, position, sections);
    }

    public IndexHeader WithChecksums(ReadOnlySpan<ulong> checksums)
    {
        var sections = new SectionEntry[Sections.Length];
        for (int i = 0; i < sections.Length; i++)
            sections[i] = Sections[i] with { Checksum = checksums[i] };
        return new IndexHeader(Minor, Options, NodeCount, LabelCount, DeletedCount, HiddenCount, UpperUsed, EntryNode, EntryLevel, FileLength, sections);
    }

    /// <summary>Writes the header, table and checksum into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = destination[..Size];
        h.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(h[MagicAt..], IndexFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(h[MajorAt..], IndexFormat.MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(h[MinorAt..], Minor);
        BinaryPrimitives.WriteInt32LittleEndian(h[HeaderSizeAt..], Size);
        BinaryPrimitives.WriteUInt32LittleEndian(h[FlagsAt..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(h[MetricAt..], (int)Options.Metric);
        BinaryPrimitives.WriteInt32LittleEndian(h[DimensionsAt..], Options.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(h[MAt..], Options.M);
        BinaryPrimitives.WriteInt32LittleEndian(h[EfConstructionAt..], Options.EfConstruction);
        BinaryPrimitives.WriteInt32LittleEndian(h[DefaultEfAt..], Options.DefaultEf);
        BinaryPrimitives.WriteUInt64LittleEndian(h[SeedAt..], Options.Seed);
        BinaryPrimitives.WriteInt32LittleEndian(h[NodeCountAt..], NodeCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[LabelCountAt..], LabelCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[DeletedCountAt..], DeletedCount);
        BinaryPrimitives.WriteInt32LittleEndian(h[HiddenCountAt..], HiddenCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[UpperUsedAt..], UpperUsed);
        BinaryPrimitives.WriteInt32LittleEndian(h[EntryNodeAt..], EntryNode);
        BinaryPrimitives.WriteInt32LittleEndian(h[EntryLevelAt..], EntryLevel);
        BinaryPrimitives.WriteInt64LittleEndian(h[FileLengthAt..], FileLength);
        BinaryPrimitives.WriteInt32LittleEndian(h[SectionCountAt..], Sections.Length);
        BinaryPrimitives.WriteInt32LittleEndian(h[InitialCapacityAt..], Options.InitialCapacity);
        if (Options.Quantization != VectorQuantization.None)
        {
            BinaryPrimitives.WriteInt32LittleEndian(h[QuantizationAt..], (int)Options.Quantization);
            BinaryPrimitives.WriteInt32LittleEndian(h[TrainingSizeAt..], Options.QuantizerTrainingSize);
            BinaryPrimitives.WriteUInt32LittleEndian(h[OptionFlagsAt..], Options.Rerank ? 0 : NoRerankFlag);
        }
        for (int i = 0; i < Sections.Length; i++)
        {
            var e = h[(IndexFormat.FixedHeaderSize + i * IndexFormat.SectionEntrySize)..];
            BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)Sections[i].Id);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], Sections[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], Sections[i].Length);
            BinaryPrimitives.WriteUInt64LittleEndian(e[24..], Sections[i].Checksum);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(h[^8..], XxHash3.HashToUInt64(h[..^8]));
    }

    /// <summary>Reads and checks the header of an open file: fields, layout, sizes and the header checksum.</summary>
    public static IndexHeader Read(SafeFileHandle handle, string path)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength == 0)
            throw Fail(path, -1, "the file is empty; it is not an index");
        Span<byte> fixedPart = stackalloc byte[IndexFormat.FixedHeaderSize];
        int got = ReadFully(handle, fixedPart, 0);
        if (got < sizeof(ulong) || BinaryPrimitives.ReadUInt64LittleEndian(fixedPart) != IndexFormat.Magic)
            throw Fail(path, MagicAt, "not a NativeHnsw index: the file does not start with the magic bytes 'NHNSWIDX'");
        if (got < 12)
            throw Fail(path, MajorAt, Inv($"truncated: the file is {fileLength} bytes, shorter than the {IndexFormat.FixedHeaderSize}-byte header"));
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[MajorAt..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[MinorAt..]);
        if (major != IndexFormat.MajorVersion)
        {
            string who = major > IndexFormat.MajorVersion ? "a newer" : "an older";
            throw Fail(path, MajorAt, Inv($"format version {major}.{minor} was written by {who} NativeHnsw; this reader reads version {IndexFormat.MajorVersion}.x only"));
        }
        if (got < IndexFormat.FixedHeaderSize)
            throw Fail(path, got, Inv($"truncated: the file is {fileLength} bytes, shorter than the {IndexFormat.FixedHeaderSize}-byte header"));

        int sectionCount = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[SectionCountAt..]);
        if (sectionCount is < 1 or > IndexFormat.MaxSections)
            throw Fail(path, SectionCountAt, Inv($"section count {sectionCount} is outside 1..{IndexFormat.MaxSections}"));
        int headerSize = IndexFormat.HeaderSize(sectionCount);
        int declaredSize = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[HeaderSizeAt..]);
        if (declaredSize != headerSize)
            throw Fail(path, HeaderSizeAt, Inv($"header size {declaredSize} does not match {sectionCount} sections ({headerSize} bytes)"));
        if (fileLength < headerSize)
            throw Fail(path, fileLength, Inv($"truncated: the file is {fileLength} bytes, shorter than its {headerSize}-byte header"));

        var header = new byte[headerSize];
        if (ReadFully(handle, header, 0) != headerSize)
            throw Fail(path, fileLength, "truncated while reading the header");
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(headerSize - 8));
        ulong actual = XxHash3.HashToUInt64(header.AsSpan(0, headerSize - 8));
        if (stored != actual)
            throw Fail(path, headerSize - 8, Inv($"header checksum mismatch (expected 0x{stored:x16}, found 0x{actual:x16})"));
        return Parse(header, path, fileLength, sectionCount, minor);
    }

    private static IndexHeader Parse(ReadOnlySpan<byte> h, string path, long fileLength, int sectionCount, ushort minor)
    {
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(h[FlagsAt..]);
        if (flags != 0)
            throw Fail(path, FlagsAt, Inv($"unknown required feature flags 0x{flags:x8}; the file needs a newer reader"));
        var metric = (DistanceMetric)BinaryPrimitives.ReadInt32LittleEndian(h[MetricAt..]);
        var quantization = (VectorQuantization)BinaryPrimitives.ReadInt32LittleEndian(h[QuantizationAt..]);
        int trainingSize = BinaryPrimitives.ReadInt32LittleEndian(h[TrainingSizeAt..]);
        uint optionFlags = BinaryPrimitives.ReadUInt32LittleEndian(h[OptionFlagsAt..]);
        if ((optionFlags & ~NoRerankFlag) != 0)
            throw Fail(path, OptionFlagsAt, Inv($"unknown option flags 0x{optionFlags:x8}"));
        int dimensions = BinaryPrimitives.ReadInt32LittleEndian(h[DimensionsAt..]);
        int m = BinaryPrimitives.ReadInt32LittleEndian(h[MAt..]);
        var options = new HnswOptions
        {
            Dimensions = dimensions,
            Metric = metric,
            M = m,
            EfConstruction = BinaryPrimitives.ReadInt32LittleEndian(h[EfConstructionAt..]),
            DefaultEf = BinaryPrimitives.ReadInt32LittleEndian(h[DefaultEfAt..]),
            Seed = BinaryPrimitives.ReadUInt64LittleEndian(h[SeedAt..]),
            InitialCapacity = BinaryPrimitives.ReadInt32LittleEndian(h[InitialCapacityAt..]),
            Quantization = quantization,
            QuantizerTrainingSize = trainingSize == 0 ? DefaultTrainingSize : trainingSize,
            Rerank = (optionFlags & NoRerankFlag) == 0,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Fail(path, MetricAt, "invalid options: " + e.Message, e);
        }

        int nodeCount = BinaryPrimitives.ReadInt32LittleEndian(h[NodeCountAt..]);
        int labelCount = BinaryPrimitives.ReadInt32LittleEndian(h[LabelCountAt..]);
        int deletedCount = BinaryPrimitives.ReadInt32LittleEndian(h[DeletedCountAt..]);
        int hiddenCount = BinaryPrimitives.ReadInt32LittleEndian(h[HiddenCountAt..]);
        long upperUsed = BinaryPrimitives.ReadInt64LittleEndian(h[UpperUsedAt..]);
        int entryNode = BinaryPrimitives.ReadInt32LittleEndian(h[EntryNodeAt..]);
        int entryLevel = BinaryPrimitives.ReadInt32LittleEndian(h[EntryLevelAt..]);
        long declaredLength = BinaryPrimitives.ReadInt64LittleEndian(h[FileLengthAt..]);

        if (nodeCount is < 0 or > HnswIndex.MaxNodes)
            throw Fail(path, NodeCountAt, Inv($"node count {nodeCount} is outside 0..{HnswIndex.MaxNodes}"));
        if (labelCount < 0 || labelCount > nodeCount)
            throw Fail(path, LabelCountAt, Inv($"label count {labelCount} is outside 0..{nodeCount} (the node count)"));
        if (deletedCount < 0 || deletedCount > labelCount)
            throw Fail(path, DeletedCountAt, Inv($"deleted count {deletedCount} is outside 0..{labelCount} (the label count)"));
        // Hidden nodes are the deleted ones plus the superseded ones, which are exactly the nodes without a label entry.
        if (hiddenCount != deletedCount + (nodeCount - labelCount))
            throw Fail(path, HiddenCountAt, Inv($"hidden count {hiddenCount} is not deleted ({deletedCount}) + superseded ({nodeCount - labelCount})"));
        if (upperUsed < 0 || upperUsed > fileLength / sizeof(int))
            throw Fail(path, UpperUsedAt, Inv($"upper-level pool size {upperUsed} ints does not fit a {fileLength}-byte file"));
        if (nodeCount == 0 ? entryNode != -1 || entryLevel != -1
                           : (uint)entryNode >= (uint)nodeCount || entryLevel is < 0 or > HnswIndex.MaxLevel)
            throw Fail(path, EntryNodeAt, Inv($"entry point (node {entryNode}, level {entryLevel}) is invalid for {nodeCount} nodes"));
        // The pool holds one record per node with a level: 1 + ℓ·(1 + M) ints, ℓ at most the entry level. So the
        // header alone bounds it, and an absurd size is refused before anything is allocated or read.
        if (nodeCount > 0)
        {
            long largestRecord = 1 + (long)entryLevel * (1 + m);
            if (entryLevel == 0 ? upperUsed != 0 : upperUsed < largestRecord || upperUsed > nodeCount * largestRecord)
                throw Fail(path, UpperUsedAt, entryLevel == 0
                    ? Inv($"upper-level pool size {upperUsed} ints is not 0, yet the top level is 0")
                    : Inv($"upper-level pool size {upperUsed} ints is outside {largestRecord}..{nodeCount * largestRecord}, what {nodeCount} nodes with levels up to {entryLevel} (M = {m}) can fill"));
        }
        else if (upperUsed != 0)
        {
            throw Fail(path, UpperUsedAt, Inv($"upper-level pool size {upperUsed} ints is not 0 in an empty index"));
        }
        if (declaredLength != fileLength)
            throw Fail(path, FileLengthAt, Inv($"truncated or extended: the header records {declaredLength} bytes, the file has {fileLength}"));

        var sections = new SectionEntry[sectionCount];
        long previousEnd = IndexFormat.HeaderSize(sectionCount);
        for (int i = 0; i < sectionCount; i++)
        {
            int at = IndexFormat.FixedHeaderSize + i * IndexFormat.SectionEntrySize;
            var e = h[at..];
            var id = (SectionId)BinaryPrimitives.ReadUInt32LittleEndian(e);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            long length = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(e[24..]);
            string name = IndexFormat.NameOf(id);
            if (BinaryPrimitives.ReadUInt32LittleEndian(e[4..]) != 0)
                throw Fail(path, at + 4, $"section table entry of '{name}' has a non-zero reserved field");
            for (int j = 0; j < i; j++)
            {
                if (sections[j].Id == id)
                    throw Fail(path, at, $"section '{name}' appears twice in the section table");
            }
            // Sections follow one another in table order, each on a cache line, separated by alignment padding only.
            if (offset < previousEnd || offset - previousEnd >= IndexFormat.PageAlignment || offset % IndexFormat.SectionAlignment != 0)
                throw Fail(path, at + 8, Inv($"section '{name}' offset {offset} is not the next aligned position after byte {previousEnd}"));
            if (length < 0 || length > fileLength - offset)
                throw Fail(path, at + 16, Inv($"section '{name}' ({length} bytes at {offset}) runs past the end of the {fileLength}-byte file"));
            if (Enum.IsDefined(id))
            {
                long expected = ExpectedLength(id, options, nodeCount, labelCount, upperUsed);
                if (length != expected)
                    throw Fail(path, at + 16, Inv($"section '{name}' is {length} bytes; {nodeCount} nodes need {expected}"));
            }
            sections[i] = new SectionEntry(id, offset, length, checksum);
            previousEnd = offset + length;
        }
        if (previousEnd != fileLength)
            throw Fail(path, previousEnd, Inv($"{fileLength - previousEnd} bytes after the last section are not accounted for"));
        foreach (var id in IndexFormat.WrittenSections)
        {
            if (Array.FindIndex(sections, s => s.Id == id) < 0)
                throw Fail(path, IndexFormat.FixedHeaderSize, $"required section '{IndexFormat.NameOf(id)}' is missing from the section table");
        }
        // The int8 sections come as a pair, and only in a file whose header says int8.
        bool hasParameters = Array.Exists(sections, s => s.Id == SectionId.Quantizer);
        bool hasRows = Array.Exists(sections, s => s.Id == SectionId.Int8Vectors);
        if (hasParameters != hasRows || (hasRows && quantization != VectorQuantization.Int8))
            throw Fail(path, QuantizationAt, Inv($"sections 'quantizer' ({(hasParameters ? "present" : "absent")}) and 'int8vectors' ({(hasRows ? "present" : "absent")}) do not match quantization {quantization}: an int8 file has both or neither, any other has neither"));
        bool hasHalves = Array.Exists(sections, s => s.Id == SectionId.Float16Vectors);
        if (hasHalves != (quantization == VectorQuantization.Float16))
            throw Fail(path, QuantizationAt, Inv($"section 'f16vectors' is {(hasHalves ? "present" : "absent")} with quantization {quantization}: a float16 file has it, any other has not"));
        if (quantization != VectorQuantization.None && minor < 1)
            throw Fail(path, QuantizationAt, Inv($"quantization {quantization} needs format 1.1; the file says 1.{minor}"));
        return new IndexHeader(minor, options, nodeCount, labelCount, deletedCount, hiddenCount, upperUsed, entryNode, entryLevel, fileLength, sections);
    }

    /// <summary>Bytes a known section must have. Cannot overflow: dimensions ≤ 2^16, M ≤ 2^8, nodes &lt; 2^31.</summary>
    public static long ExpectedLength(SectionId id, HnswOptions options, int nodeCount, int labelCount, long upperUsed) => id switch
    {
        SectionId.Vectors => (long)nodeCount * options.Dimensions * sizeof(float),
        SectionId.Links0 => (long)nodeCount * (1 + 2 * options.M) * sizeof(int),
        SectionId.UpperLinks => upperUsed * sizeof(int),
        SectionId.UpperOffsets => (long)nodeCount * sizeof(int),
        SectionId.Labels => (long)nodeCount * sizeof(long),
        SectionId.States => nodeCount,
        SectionId.LabelIndex => (long)labelCount * sizeof(int),
        SectionId.Quantizer => 2L * options.Dimensions * sizeof(float),
        SectionId.Int8Vectors => (long)nodeCount * Distance.Int8Quantizer.StrideOf(options.Dimensions),
        SectionId.Float16Vectors => (long)nodeCount * Distance.Float16Codec.StrideOf(options.Dimensions),
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static IndexFormatException Fail(string path, long offset, string problem, Exception? inner = null) =>
        new(path, HeaderSection, offset, problem, inner);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

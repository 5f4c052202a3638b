using System.Buffers.Binary;

namespace NativeHnsw.Backup;

/// <summary>
/// Where a file's chunks are cut. Fixed-size chunks whose boundaries restart at every section of an index file: the
/// sections that only grow at their end when vectors are added (vectors, labels, states, upper offsets, compact rows)
/// keep every chunk but their last, whatever the sections before them did. Level-0 links change all over (each new
/// node rewires neighbours at random), so they are compressed (node ids are far from 32 bits of entropy: Zstandard
/// leaves 44 % of them). Float vectors are not compressed: Zstandard leaves 93 % of them, not worth a decompression
/// of every chunk at restore (measured on 100,000 × 128 in docs/BACKUP.md, "Chunk store").
/// </summary>
public static class ChunkLayout
{
    /// <summary>The largest chunk any layout cuts (a restore refuses a manifest that lists a longer one).</summary>
    public const int MaxChunkBytes = 4 << 20;

    /// <summary>Chunks of the sections that grow only at their end.</summary>
    public const int AppendOnlyChunkBytes = 1 << 20;

    /// <summary>
    /// Chunks of the link sections, which change in place: adding 1 % new vectors rewires about 15 % of the level-0
    /// records, spread over the whole section, so any chunk of more than a few records changes; large chunks cost fewer
    /// objects and compress better.
    /// </summary>
    public const int LinkChunkBytes = 64 << 10;

    /// <summary>
    /// Chunks of a SQLite database: one page of the default 4 KiB (a larger power-of-two page is a whole number of
    /// them). Upserts touch pages all over the B-trees: after 1 % of a 10,000-record store changed, 6.0 % of its pages
    /// were new at 4 KiB chunks, 22 % at 16 KiB, 60 % at 64 KiB (docs/BACKUP.md, "Chunk store").
    /// </summary>
    public const int DatabaseChunkBytes = 4 << 10;

    /// <summary>
    /// A pack is closed (written) once it holds this many bytes of frames, and at the end of the file: a daily store
    /// backup's new pages make one pack, a full one a few.
    /// </summary>
    public const int PackBytes = 8 << 20;

    /// <summary>Chunks of other files.</summary>
    public const int OtherChunkBytes = 1 << 20;

    private const int IndexHeadBytes = 128 + 32 * 64 + 8;

    /// <summary>Plans the chunks of a file of <paramref name="length"/> bytes whose first bytes are <paramref name="head"/> (at least the index header and section table for an index).</summary>
    public static IReadOnlyList<ChunkSpan> Plan(ChunkedFileKind kind, ReadOnlySpan<byte> head, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return kind switch
        {
            ChunkedFileKind.Index => IndexSections(head, length) is { } sections ? PlanIndex(sections, length) : Fixed(0, length, OtherChunkBytes, compress: true),
            ChunkedFileKind.Database => Fixed(0, length, DatabaseChunkBytes, compress: true),
            _ => Fixed(0, length, OtherChunkBytes, compress: true),
        };
    }

    /// <summary>
    /// The compressed size below which a chunk of <paramref name="length"/> bytes of a file of <paramref name="kind"/>
    /// is kept compressed, else stored as is: a saving of at least 3 %, and of a quarter for a database page. Most
    /// pages of a store hold float vectors, which Zstandard shrinks by about 17 % for a decompression of every page at
    /// restore that made a chunked restore of a store several times a whole-file one; the pages of ids, documents,
    /// metadata and B-tree interiors shrink by half or more and stay compressed (docs/BACKUP.md, "Chunking").
    /// </summary>
    public static int CompressedBelow(ChunkedFileKind kind, int length) =>
        kind == ChunkedFileKind.Database ? length - length / 4 : length - length / 32;

    /// <summary>
    /// Whether a file's chunks are stored in packs rather than as objects of their own: a database's, whose 4 KiB pages
    /// were thousands of objects a restore opened one by one (2.7× a whole-file restore). Index chunks (64 KiB–1 MiB)
    /// stay loose: a restore of them is within 4 % of a whole-file one.
    /// </summary>
    public static bool Packs(ChunkedFileKind kind) => kind == ChunkedFileKind.Database;

    /// <summary>How many bytes of a file's start <see cref="Plan"/> needs to see.</summary>
    public static int HeadBytes(ChunkedFileKind kind) => kind == ChunkedFileKind.Index ? IndexHeadBytes : 0;

    private static List<ChunkSpan> PlanIndex(IReadOnlyList<IndexSectionSpan> sections, long length)
    {
        var spans = new List<ChunkSpan>();
        long at = 0;
        foreach (var (id, offset, sectionLength) in sections)
        {
            // The header, the section table and any padding before a section go into chunks of their own.
            if (offset > at)
                spans.AddRange(Fixed(at, offset - at, OtherChunkBytes, compress: true));
            bool links = id is 2 or 3 or 7;
            bool floats = id is 1 or 10 or 8;
            spans.AddRange(Fixed(offset, sectionLength, links ? LinkChunkBytes : AppendOnlyChunkBytes, compress: !floats));
            at = offset + sectionLength;
        }
        if (length > at)
            spans.AddRange(Fixed(at, length - at, OtherChunkBytes, compress: true));
        return spans;
    }

    private static List<ChunkSpan> Fixed(long start, long length, int size, bool compress)
    {
        var spans = new List<ChunkSpan>((int)Math.Min(1 << 16, (length + size - 1) / size));
        for (long at = start; at < start + length; at += size)
            spans.Add(new ChunkSpan(at, (int)Math.Min(size, start + length - at), compress));
        return spans;
    }

    /// <summary>
    /// The section table of an index file (docs/FORMAT.md), in file order; null when the bytes are not one whose
    /// sections tile the file in order. Chunking only needs the boundaries: the file was verified before it is backed
    /// up, and a file this does not recognise is still backed up whole, in fixed chunks.
    /// </summary>
    public static IReadOnlyList<IndexSectionSpan>? IndexSections(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < 136 || !head[..8].SequenceEqual("NHNSWIDX"u8))
            return null;
        int count = BinaryPrimitives.ReadInt32LittleEndian(head[88..]);
        if (count is < 1 or > 64 || head.Length < 128 + 32 * count)
            return null;
        var sections = new List<IndexSectionSpan>(count);
        long end = 128 + 32L * count + 8;
        for (int i = 0; i < count; i++)
        {
            var row = head.Slice(128 + 32 * i, 32);
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(row);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(row[8..]);
            long sectionLength = BinaryPrimitives.ReadInt64LittleEndian(row[16..]);
            if (offset < end || sectionLength < 0 || offset > length - sectionLength)
                return null;
            sections.Add(new IndexSectionSpan(id, offset, sectionLength));
            end = offset + sectionLength;
        }
        return sections;
    }
}

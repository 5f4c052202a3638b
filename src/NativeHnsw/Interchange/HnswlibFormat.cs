namespace NativeHnsw.Interchange;

/// <summary>
/// The layout of an hnswlib (0.6.x) <c>saveIndex</c> file, as docs/IMPORT.md describes it: a 96-byte header,
/// then <c>cur_element_count</c> level-0 records of <c>size_data_per_element</c> bytes (link count as a u16, a
/// flags byte whose bit 0 is the delete mark, a spare byte, <c>maxM0</c> u32 links; the vector; the u64 label),
/// then per element a u32 byte count and its upper-level lists (<c>level</c> lists of a u32 count, low 16 bits,
/// and <c>maxM</c> u32 links).
/// </summary>
internal static class HnswlibFormat
{
    public const int HeaderSize = 96;

    public const int OffsetLevel0At = 0;
    public const int MaxElementsAt = 8;
    public const int ElementCountAt = 16;
    public const int SizeDataPerElementAt = 24;
    public const int LabelOffsetAt = 32;
    public const int OffsetDataAt = 40;
    public const int MaxLevelAt = 48;
    public const int EntryPointAt = 52;
    public const int MaxMAt = 56;
    public const int MaxM0At = 64;
    public const int MAt = 72;
    public const int MultAt = 80;
    public const int EfConstructionAt = 88;

    /// <summary>Bit 0 of byte 2 of a level-0 record: hnswlib's DELETE_MARK.</summary>
    public const byte DeleteMark = 0x01;

    /// <summary>Bytes of one link list (count then links) with <paramref name="maxLinks"/> links.</summary>
    public static long ListBytes(long maxLinks) => sizeof(uint) + maxLinks * sizeof(uint);
}

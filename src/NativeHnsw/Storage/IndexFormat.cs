namespace NativeHnsw.IndexFiles;

/// <summary>The constants of the index file format; docs/FORMAT.md is the specification they implement.</summary>
internal static class IndexFormat
{
    /// <summary>"NHNSWIDX" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x5844_4957_534E_484E;

    /// <summary>Readers accept exactly this major version; a change of layout that old readers would misread bumps it.</summary>
    public const ushort MajorVersion = 1;

    /// <summary>
    /// The newest minor this version writes; readers accept any minor of their major (additions old readers may
    /// ignore). A file is written with the lowest minor that holds it: 1.1 only for a quantized index.
    /// </summary>
    public const ushort MinorVersion = 1;

    /// <summary>The minor version a file of an index with these options is written as.</summary>
    public static ushort MinorVersionFor(HnswOptions options) => options.Quantization == VectorQuantization.None ? (ushort)0 : (ushort)1;

    public const int FixedHeaderSize = 128;
    public const int SectionEntrySize = 32;
    public const int MaxSections = 64;

    /// <summary>Every section starts on a cache line.</summary>
    public const int SectionAlignment = 64;

    /// <summary>The vectors and level-0 links, the blocks searched in place, start on a page.</summary>
    public const int PageAlignment = 4096;

    /// <summary>Sections this version writes, in file order.</summary>
    public static ReadOnlySpan<SectionId> WrittenSections =>
    [
        SectionId.Vectors, SectionId.Links0, SectionId.UpperLinks, SectionId.UpperOffsets,
        SectionId.Labels, SectionId.States, SectionId.LabelIndex,
    ];

    /// <summary>Sections 1.1 adds for a trained int8 quantizer, after the others, in file order.</summary>
    public static ReadOnlySpan<SectionId> Int8Sections => [SectionId.Quantizer, SectionId.Int8Vectors];

    /// <summary>
    /// Under cosine a stored row's squared length, summed in float, is within this of 1. Normalising on insert
    /// is off by a few float ulps; a float sum over 65,536 dimensions by at most ~2.5·10⁻⁴; a row this rule
    /// lets through still gives distances within 0.1% of the true cosine distance.
    /// </summary>
    public const float UnitNormTolerance = 1e-3f;

    public static int HeaderSize(int sectionCount) => FixedHeaderSize + sectionCount * SectionEntrySize + sizeof(ulong);

    public static int AlignmentOf(SectionId id) => id is SectionId.Vectors or SectionId.Links0 or SectionId.Int8Vectors or SectionId.Float16Vectors ? PageAlignment : SectionAlignment;

    public static string NameOf(SectionId id) => id switch
    {
        SectionId.Vectors => "vectors",
        SectionId.Links0 => "links0",
        SectionId.UpperLinks => "upperlinks",
        SectionId.UpperOffsets => "upperoffsets",
        SectionId.Labels => "labels",
        SectionId.States => "states",
        SectionId.LabelIndex => "labelindex",
        SectionId.Int8Vectors => "int8vectors",
        SectionId.Quantizer => "quantizer",
        SectionId.Float16Vectors => "f16vectors",
        _ => $"section#{(uint)id}",
    };

    public static long Align(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}

namespace NativeHnsw.IndexFiles;

/// <summary>The constants of the index file format; docs/FORMAT.md is the specification they implement.</summary>
internal static class IndexFormat
{
    /// <summary>"NHNSWIDX" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x5844_4957_534E_484E;

    /// <summary>Readers accept exactly this major version; a change of layout that old readers would misread bumps it.</summary>
    public const ushort MajorVersion = 1;

    /// <summary>
    /// The minor version this version writes; readers accept any minor of their major (additions old readers may
    /// ignore, and changes they must not ignore behind a required feature flag, which they refuse).
    /// </summary>
    public const ushort MinorVersion = 2;

    /// <summary>
    /// Required feature flag (1.2): section <see cref="SectionId.UpperIndex"/> holds the upper-level offsets of the
    /// nodes with upper levels, and there is no <see cref="SectionId.UpperOffsets"/>. Every 1.2 file sets it.
    /// </summary>
    public const uint SparseUpperOffsetsFlag = 1;

    /// <summary>
    /// Required feature flag (1.2): labels ascend strictly with node id and every node is indexed, so the label
    /// index would be 0, 1, …, N − 1: it is not stored (section <see cref="SectionId.LabelIndex"/> is absent).
    /// </summary>
    public const uint ImplicitLabelIndexFlag = 2;

    /// <summary>The required feature flags this reader knows.</summary>
    public const uint KnownFlags = SparseUpperOffsetsFlag | ImplicitLabelIndexFlag;

    public const int FixedHeaderSize = 128;
    public const int SectionEntrySize = 32;
    public const int MaxSections = 64;

    /// <summary>Every section starts on a cache line.</summary>
    public const int SectionAlignment = 64;

    /// <summary>The vectors and level-0 links, the blocks searched in place, start on a page.</summary>
    public const int PageAlignment = 4096;

    /// <summary>Sections every file holds, whatever its flags.</summary>
    public static ReadOnlySpan<SectionId> RequiredSections =>
    [
        SectionId.Vectors, SectionId.Links0, SectionId.UpperLinks, SectionId.Labels, SectionId.States,
    ];

    /// <summary>The graph sections a file with these required feature flags holds, in file order.</summary>
    public static SectionId[] GraphSectionsFor(uint flags)
    {
        var ids = new List<SectionId>(7) { SectionId.Vectors, SectionId.Links0, SectionId.UpperLinks };
        ids.Add((flags & SparseUpperOffsetsFlag) != 0 ? SectionId.UpperIndex : SectionId.UpperOffsets);
        ids.Add(SectionId.Labels);
        ids.Add(SectionId.States);
        if ((flags & ImplicitLabelIndexFlag) == 0)
            ids.Add(SectionId.LabelIndex);
        return [.. ids];
    }

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
        SectionId.UpperIndex => "upperindex",
        _ => $"section#{(uint)id}",
    };

    public static long Align(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}

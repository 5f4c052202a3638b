namespace NativeHnsw.IndexFiles;

/// <summary>The sections of an index file, by the id stored in its section table (docs/FORMAT.md).</summary>
internal enum SectionId : uint
{
    Vectors = 1,
    Links0 = 2,
    UpperLinks = 3,
    UpperOffsets = 4,
    Labels = 5,
    States = 6,
    LabelIndex = 7,

    /// <summary>Format 1.1: the int8 rows of <see cref="Distance.Int8Quantizer"/>, node-major.</summary>
    Int8Vectors = 8,

    /// <summary>Format 1.1: the quantizer's parameters (per-dimension min and scale).</summary>
    Quantizer = 9,

    /// <summary>Format 1.1: the float16 rows, node-major.</summary>
    Float16Vectors = 10,
}

namespace NativeHnsw.Storage;

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
}

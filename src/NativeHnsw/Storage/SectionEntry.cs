namespace NativeHnsw.IndexFiles;

/// <summary>One row of the section table: where a section lies and the XxHash3 of its bytes.</summary>
internal readonly record struct SectionEntry(SectionId Id, long Offset, long Length, ulong Checksum)
{
    public long End => Offset + Length;

    public string Name => IndexFormat.NameOf(Id);
}

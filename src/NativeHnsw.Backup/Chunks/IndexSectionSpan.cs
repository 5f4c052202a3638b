namespace NativeHnsw.Backup;

/// <summary>Where one section of an index file lies (docs/FORMAT.md's section table), as <see cref="ChunkLayout"/> cuts along it.</summary>
public readonly record struct IndexSectionSpan(uint Id, long Offset, long Length);

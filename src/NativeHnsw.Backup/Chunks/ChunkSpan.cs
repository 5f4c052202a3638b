namespace NativeHnsw.Backup;

/// <summary>One planned chunk: where it starts in its file, how long it is, and whether to try compressing it.</summary>
public readonly record struct ChunkSpan(long Offset, int Length, bool Compress);

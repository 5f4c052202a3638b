namespace NativeHnsw.Backup;

/// <summary>One chunk of a chunked file, as its manifest lists it: the SHA-256 of the chunk's bytes (its key in the target's chunk store) and their count.</summary>
/// <param name="Sha256">SHA-256 of the chunk's uncompressed bytes, lowercase hex.</param>
/// <param name="Length">Uncompressed bytes, 1 .. <see cref="ChunkLayout.MaxChunkBytes"/>.</param>
public sealed record ChunkRef(string Sha256, int Length);

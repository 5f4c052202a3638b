namespace NativeHnsw.Backup;

/// <summary>A chunk as its store lists it: the key and the bytes it takes there (compressed, with its frame).</summary>
public readonly record struct StoredChunk(string Sha256, long StoredLength);

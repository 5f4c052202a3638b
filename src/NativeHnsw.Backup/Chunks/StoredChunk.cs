namespace NativeHnsw.Backup;

/// <summary>A chunk as its store lists it: the key and the bytes it takes there (compressed, with its frame; in a pack, with its index entry).</summary>
public readonly record struct StoredChunk(string Sha256, long StoredLength)
{
    /// <summary>The pack that holds it (<see cref="ChunkPack.Name"/>); null for a chunk stored as an object of its own.</summary>
    public string? Pack { get; init; }
}

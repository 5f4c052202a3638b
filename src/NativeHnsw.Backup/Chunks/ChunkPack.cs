namespace NativeHnsw.Backup;

/// <summary>
/// A pack as its store lists it: one object holding many framed chunks one after another, named by the SHA-256 of its
/// bytes, and the index that says where each chunk lies in it (<see cref="IChunkStore.ListPacks"/>).
/// </summary>
/// <param name="Name">SHA-256 of the pack's data, lowercase hex.</param>
/// <param name="DataLength">Bytes of the pack's data object.</param>
/// <param name="Chunks">Its chunks in the order they were written.</param>
public sealed record ChunkPack(string Name, long DataLength, IReadOnlyList<PackedChunk> Chunks)
{
    /// <summary>What the pack costs its store: its data and its index.</summary>
    public long StoredLength => DataLength + PackIndex.Bytes(Chunks.Count);
}

/// <summary>One chunk in a pack: its key and where its frame lies in the pack's data.</summary>
/// <param name="StoredLength">Bytes of its frame (<see cref="ChunkCodec"/>) in the pack.</param>
public readonly record struct PackedChunk(string Sha256, long Offset, int StoredLength);

/// <summary>Where a chunk stored in a pack lies: the pack's name and the chunk's frame in its data.</summary>
public readonly record struct ChunkLocation(string Pack, long Offset, int StoredLength);

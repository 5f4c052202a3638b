namespace NativeHnsw.Backup;

/// <summary>
/// The content-addressed chunks of one target, shared by all its backups: a chunk is stored once under the SHA-256 of
/// its uncompressed bytes, whichever backup wrote it first, as a framed object (<see cref="ChunkCodec"/>). Chunks are
/// never rewritten: a key names one content forever, so a present key needs no second upload. Only a prune deletes
/// chunks (<see cref="ChunkCollector"/>), under the lease protocol of <see cref="ChunkLease"/>.
/// </summary>
public interface IChunkStore
{
    /// <summary>Where the chunks live, for messages.</summary>
    string Description { get; }

    /// <summary>Every chunk stored, in no particular order.</summary>
    /// <exception cref="BackupException">The store cannot be listed.</exception>
    IReadOnlyList<StoredChunk> List();

    /// <summary>Stores a framed chunk under its key (one already there may be kept or replaced: a key names one content); true when it was written now.</summary>
    bool Put(string sha256, ReadOnlySpan<byte> framed);

    /// <summary>The framed bytes stored under a key, or null when there is no such chunk.</summary>
    byte[]? TryRead(string sha256);

    /// <summary>Makes every chunk put so far durable (a backup calls it before its manifest).</summary>
    void Flush();

    void Delete(string sha256);

    void WriteLease(string name, DateTimeOffset startedUtc);

    /// <param name="now">The instant a lease whose content cannot be read is taken to have begun.</param>
    IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now);

    /// <summary>Removes a lease; removing one that is not there is not an error.</summary>
    void DeleteLease(string name);
}

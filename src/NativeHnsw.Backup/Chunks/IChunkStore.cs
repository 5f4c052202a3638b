namespace NativeHnsw.Backup;

/// <summary>
/// The content-addressed chunks of one target, shared by all its backups: a chunk is stored once under the SHA-256 of
/// its uncompressed bytes, whichever backup wrote it first, as a framed object (<see cref="ChunkCodec"/>), either an
/// object of its own (a loose chunk: <see cref="Put"/>) or inside a pack with many others (<see cref="PutPack"/>,
/// used for small chunks, whose one object each made a restore open thousands of them). Chunks and packs are never
/// rewritten: a key names one content forever, so a present key needs no second upload. Only a prune deletes them
/// (<see cref="ChunkCollector"/>), under the lease protocol of <see cref="ChunkLease"/>.
/// </summary>
public interface IChunkStore
{
    /// <summary>Where the chunks live, for messages.</summary>
    string Description { get; }

    /// <summary>Every chunk stored, loose or packed, each key once, in no particular order.</summary>
    /// <exception cref="BackupException">The store cannot be listed.</exception>
    IReadOnlyList<StoredChunk> List();

    /// <summary>Stores a framed chunk under its key as an object of its own (one already there may be kept or replaced: a key names one content); true when it was written now.</summary>
    bool Put(string sha256, ReadOnlySpan<byte> framed);

    /// <summary>The framed bytes stored under a key, loose or in a pack, or null when there is no such chunk.</summary>
    byte[]? TryRead(string sha256);

    /// <summary>Makes every chunk and pack put so far durable (a backup calls it before its manifest).</summary>
    void Flush();

    /// <summary>Deletes a loose chunk; a packed chunk goes only with its pack (<see cref="DeletePack"/>).</summary>
    void Delete(string sha256);

    /// <summary>
    /// Stores a pack: <paramref name="data"/>, framed chunks one after another, under <paramref name="name"/> (the
    /// SHA-256 of the data), then <paramref name="index"/> (<see cref="PackIndex"/>), so an index present means its data is whole.
    /// </summary>
    void PutPack(string name, ReadOnlySpan<byte> data, ReadOnlySpan<byte> index);

    /// <summary>Every pack whose index reads and whose data has the length the index says.</summary>
    IReadOnlyList<ChunkPack> ListPacks();

    /// <summary>Where a packed chunk lies, as of the store's last listing of its packs (made now if there was none); null for a chunk in no pack known.</summary>
    ChunkLocation? Locate(string sha256);

    /// <summary>Bytes <paramref name="offset"/> .. +<paramref name="length"/> of a pack's data, or null when the pack is gone or shorter.</summary>
    byte[]? TryReadPack(string name, long offset, int length);

    /// <summary>Deletes a pack, its index first (so a pack listed is never one whose data is going).</summary>
    void DeletePack(string name);

    void WriteLease(string name, DateTimeOffset startedUtc);

    /// <param name="now">The instant a lease whose content cannot be read is taken to have begun.</param>
    IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now);

    /// <summary>Removes a lease; removing one that is not there is not an error.</summary>
    void DeleteLease(string name);
}

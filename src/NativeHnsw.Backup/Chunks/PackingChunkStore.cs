namespace NativeHnsw.Backup;

/// <summary>
/// What both chunk stores share about packs: listing them (an index is read once, packs never change), finding a
/// packed chunk, reading one, and listing loose and packed chunks as one. A store supplies the objects: loose chunks,
/// and the objects of its pack folder (<c>NAME.pack</c>, <c>NAME.idx</c>).
/// </summary>
internal abstract class PackingChunkStore : IChunkStore
{
    /// <summary>An object of the pack folder as listed.</summary>
    protected readonly record struct PackObject(long Length, DateTimeOffset WrittenUtc);

    protected const string DataSuffix = ".pack";
    protected const string IndexSuffix = ".idx";

    private readonly Lock _lock = new();

    // Decoded indexes by pack name (null: damaged); packs are immutable, so an index read once stays right.
    private Dictionary<string, ChunkPack?> _indexes = new(StringComparer.Ordinal);
    private Dictionary<string, ChunkLocation>? _locations;

    public abstract string Description { get; }

    public IReadOnlyList<StoredChunk> List()
    {
        var loose = ListLoose();
        var seen = new HashSet<string>(loose.Select(c => c.Sha256), StringComparer.Ordinal);
        var all = new List<StoredChunk>(loose);
        foreach (var pack in ListPacks())
        {
            foreach (var c in pack.Chunks)
            {
                if (seen.Add(c.Sha256))
                    all.Add(new StoredChunk(c.Sha256, c.StoredLength + PackIndex.EntryBytes) { Pack = pack.Name });
            }
        }
        return all;
    }

    public abstract bool Put(string sha256, ReadOnlySpan<byte> framed);

    public byte[]? TryRead(string sha256)
    {
        if (ReadPacked(sha256) is { } framed)
            return framed;
        if (TryReadLoose(sha256) is { } loose)
            return loose;
        // A pack written (by another process) or repacked (by a prune) since the packs were last listed.
        ListPacks();
        return ReadPacked(sha256);
    }

    public abstract void Flush();

    /// <summary>A loose chunk's frame for a restore, in a pooled buffer where the store can (a restore reads thousands: a new array each was the most of what it allocated); null when there is no such loose chunk.</summary>
    internal virtual RentedBytes? TryReadLooseRented(string sha256) =>
        TryReadLoose(sha256) is { } bytes ? new RentedBytes(bytes, 0, bytes.Length, Pooled: false) : null;

    /// <summary><see cref="TryReadPack"/> into a pooled buffer where the store can.</summary>
    internal virtual RentedBytes? TryReadPackRented(string name, long offset, int length) =>
        TryReadPack(name, offset, length) is { } bytes ? new RentedBytes(bytes, 0, bytes.Length, Pooled: false) : null;

    public abstract void Delete(string sha256);

    public void PutPack(string name, ReadOnlySpan<byte> data, ReadOnlySpan<byte> index)
    {
        var decoded = PackIndex.TryDecode(ChunkKeys.Check(name), index)
            ?? throw new ArgumentException($"The index of pack {name} does not decode.", nameof(index));
        if (decoded.DataLength != data.Length)
            throw new ArgumentException($"The index of pack {name} says {decoded.DataLength} bytes of data, not {data.Length}.", nameof(index));
        PutPackObject(name + DataSuffix, data);
        PutPackObject(name + IndexSuffix, index);
        lock (_lock)
        {
            _indexes[name] = decoded;
            if (_locations is not null)
                AddLocations(_locations, decoded);
        }
    }

    public IReadOnlyList<ChunkPack> ListPacks()
    {
        var objects = ListPackObjects();
        Dictionary<string, ChunkPack?> known;
        lock (_lock)
            known = _indexes;
        var indexes = new Dictionary<string, ChunkPack?>(StringComparer.Ordinal);
        var packs = new List<ChunkPack>();
        foreach (var (objectName, _) in objects)
        {
            if (!objectName.EndsWith(IndexSuffix, StringComparison.Ordinal) || !ChunkKeys.IsKey(objectName[..^IndexSuffix.Length]))
                continue;
            string name = objectName[..^IndexSuffix.Length];
            if (!known.TryGetValue(name, out var pack))
            {
                if (TryReadPackObject(objectName, 0, -1) is not { } bytes)
                    continue;
                pack = PackIndex.TryDecode(name, bytes);
            }
            indexes[name] = pack;
            if (pack is not null && objects.TryGetValue(name + DataSuffix, out var data) && data.Length == pack.DataLength)
                packs.Add(pack);
        }
        var locations = new Dictionary<string, ChunkLocation>(StringComparer.Ordinal);
        foreach (var pack in packs)
            AddLocations(locations, pack);
        lock (_lock)
        {
            _indexes = indexes;
            _locations = locations;
        }
        return packs;
    }

    public ChunkLocation? Locate(string sha256)
    {
        Dictionary<string, ChunkLocation>? locations;
        lock (_lock)
            locations = _locations;
        if (locations is null)
        {
            ListPacks();
            lock (_lock)
                locations = _locations!;
        }
        lock (_lock)
            return locations.TryGetValue(sha256, out var at) ? at : null;
    }

    public byte[]? TryReadPack(string name, long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return TryReadPackObject(ChunkKeys.Check(name) + DataSuffix, offset, length);
    }

    public void DeletePack(string name)
    {
        DeletePackObject(ChunkKeys.Check(name) + IndexSuffix);
        DeletePackObject(name + DataSuffix);
        lock (_lock)
        {
            var indexes = new Dictionary<string, ChunkPack?>(_indexes, StringComparer.Ordinal);
            indexes.Remove(name);
            _indexes = indexes;
            _locations = null;
        }
    }

    public abstract void WriteLease(string name, DateTimeOffset startedUtc);

    public abstract IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now);

    public abstract void DeleteLease(string name);

    /// <summary>The chunks stored as objects of their own.</summary>
    protected abstract IReadOnlyList<StoredChunk> ListLoose();

    protected abstract byte[]? TryReadLoose(string sha256);

    /// <summary>The objects of the pack folder, by name, with their lengths and the instants they were written.</summary>
    protected abstract IReadOnlyDictionary<string, PackObject> ListPackObjects();

    /// <summary>
    /// The packs whose data is there without its index: left by a writer killed between the two (the data is written
    /// first) or a deletion killed between them (the index goes first). No chunk in one is listed or read, and no
    /// backup can reference one through this store (<see cref="Locate"/> finds chunks by the indexes).
    /// </summary>
    internal IReadOnlyList<OrphanPack> ListOrphanPacks()
    {
        var objects = ListPackObjects();
        var orphans = new List<OrphanPack>();
        foreach (var (objectName, data) in objects)
        {
            if (!objectName.EndsWith(DataSuffix, StringComparison.Ordinal))
                continue;
            string name = objectName[..^DataSuffix.Length];
            if (ChunkKeys.IsKey(name) && !objects.ContainsKey(name + IndexSuffix))
                orphans.Add(new OrphanPack(name, data.Length, data.WrittenUtc));
        }
        return orphans;
    }

    /// <summary>Deletes the data of a pack that has no index.</summary>
    internal void DeleteOrphanPack(string name) => DeletePackObject(ChunkKeys.Check(name) + DataSuffix);

    /// <summary>Bytes of an object of the pack folder (<paramref name="length"/> -1: all of it); null when it is gone or shorter.</summary>
    protected abstract byte[]? TryReadPackObject(string objectName, long offset, int length);

    /// <summary>Writes an object of the pack folder whole (or not at all).</summary>
    protected abstract void PutPackObject(string objectName, ReadOnlySpan<byte> bytes);

    protected abstract void DeletePackObject(string objectName);

    private byte[]? ReadPacked(string sha256) =>
        Locate(sha256) is { } at ? TryReadPack(at.Pack, at.Offset, at.StoredLength) : null;

    private static void AddLocations(Dictionary<string, ChunkLocation> locations, ChunkPack pack)
    {
        foreach (var c in pack.Chunks)
            locations.TryAdd(c.Sha256, new ChunkLocation(pack.Name, c.Offset, c.StoredLength));
    }
}

/// <summary>A pack's data without its index (<see cref="PackingChunkStore.ListOrphanPacks"/>).</summary>
internal readonly record struct OrphanPack(string Name, long Length, DateTimeOffset WrittenUtc);

namespace NativeHnsw.Backup;

/// <summary>Gathers framed chunks into a pack and writes it to a store once it holds <see cref="ChunkLayout.PackBytes"/>, or when closed.</summary>
internal sealed class PackBuilder(IChunkStore store)
{
    private readonly MemoryStream _data = new();
    private readonly List<PackedChunk> _chunks = [];

    /// <summary>Adds a chunk (its key not yet in this pack); returns the bytes it costs the store (its frame and its index entry).</summary>
    public long Add(string sha256, ReadOnlySpan<byte> framed)
    {
        _chunks.Add(new PackedChunk(sha256, _data.Length, framed.Length));
        _data.Write(framed);
        if (_data.Length >= ChunkLayout.PackBytes)
            Close();
        return framed.Length + PackIndex.EntryBytes;
    }

    /// <summary>Writes what was added since the last pack as a pack of its own (nothing when nothing was).</summary>
    public void Close()
    {
        if (_chunks.Count == 0)
            return;
        var data = _data.GetBuffer().AsSpan(0, (int)_data.Length);
        store.PutPack(ChunkCodec.Key(data), data, PackIndex.Encode(data.Length, _chunks));
        _data.SetLength(0);
        _chunks.Clear();
    }
}

using System.Buffers;
using System.Security.Cryptography;

namespace NativeHnsw.Backup;

/// <summary>Stores a file as chunks in a chunk store, and puts one back together, checking every chunk and the whole.</summary>
public static class ChunkedFile
{
    /// <summary>
    /// Cuts <paramref name="content"/> (seekable: read from its start, the head first to plan the chunks, then every
    /// byte once) and puts every chunk <paramref name="known"/> does not hold into <paramref name="store"/>: loose, or,
    /// for a kind whose chunks are packed (<see cref="ChunkLayout.Packs"/>), in packs of this file's new chunks in file order.
    /// </summary>
    /// <param name="known">Keys already in the store (updated with those put now).</param>
    /// <returns>The chunks in file order, the file's length and SHA-256, and the bytes newly stored (framed).</returns>
    /// <exception cref="IOException">The content changed length while it was read.</exception>
    public static (IReadOnlyList<ChunkRef> Chunks, long Length, string Sha256, long StoredBytes) Store(
        IChunkStore store, HashSet<string> known, Stream content, ChunkedFileKind kind, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
            throw new ArgumentException("A file is chunked by a plan made from its length and head, which needs a seekable stream.", nameof(content));
        long length = content.Length;
        content.Position = 0;
        byte[] head = new byte[ChunkLayout.HeadBytes(kind)];
        head = head[..content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        content.Position = 0;
        var plan = ChunkLayout.Plan(kind, head, length);

        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<ChunkRef>(plan.Count);
        byte[] buffer = new byte[ChunkLayout.MaxChunkBytes];
        long total = 0;
        long stored = 0;
        var pack = ChunkLayout.Packs(kind) ? new PackBuilder(store) : null;
        foreach (var span in plan)
        {
            int got = content.ReadAtLeast(buffer.AsSpan(0, span.Length), span.Length, throwOnEndOfStream: false);
            if (got != span.Length)
                throw new IOException($"The file being backed up ended at byte {total + got:N0}; it was {length:N0} bytes when its chunks were planned (changed in place while read).");
            var chunk = buffer.AsSpan(0, got);
            whole.AppendData(chunk);
            string key = ChunkCodec.Key(chunk);
            if (known.Add(key))
            {
                byte[] framed = ChunkCodec.Encode(chunk, span.Compress);
                if (pack is not null)
                    stored += pack.Add(key, framed);
                else if (store.Put(key, framed))
                    stored += framed.Length;
            }
            chunks.Add(new ChunkRef(key, got));
            total += got;
            progress?.Report(total);
        }
        if (content.ReadByte() >= 0)
            throw new IOException($"The file being backed up grew past the {total:N0} bytes its chunks were planned for (changed in place while read).");
        pack?.Close();
        return (chunks, total, Convert.ToHexStringLower(whole.GetHashAndReset()), stored);
    }

    /// <summary>
    /// Writes the chunked file <paramref name="file"/> of <paramref name="backup"/> to <paramref name="destination"/>
    /// (null: only checks it), checking each chunk against its key and the whole against the manifest's length and SHA-256.
    /// </summary>
    /// <exception cref="BackupIntegrityException">A chunk is missing or damaged (named with its key and place in the file), or the whole does not match.</exception>
    public static long Restore(IChunkStore store, BackupManifest backup, BackupFileEntry file, Stream? destination, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentNullException.ThrowIfNull(file);
        var chunks = file.Chunks ?? throw new ArgumentException($"'{file.Name}' is stored whole, not in chunks.", nameof(file));
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Chunks are read in units (one loose chunk, or a run of packed ones that lie close together in one pack, read
        // at once), decoded and checked against their keys a few units ahead on the thread pool (a file read or an S3
        // GET overlaps the work on the unit before, and a second core hashes), while this thread adds each chunk to
        // the whole file's hash and writes it, in file order: the first bad chunk in the file is the one named.
        var locations = chunks.Select(c => store.Locate(c.Sha256)).ToArray();
        var units = PlanReads(chunks, locations);
        var ahead = new Queue<Task<byte[][]>>();
        int next = 0;
        long at = 0;
        try
        {
            foreach (var unit in units)
            {
                while (next < units.Count && ahead.Count < ReadAheadUnits)
                {
                    var u = units[next++];
                    ahead.Enqueue(Task.Run(() => ReadUnitChunks(store, backup, file, chunks, locations, u)));
                }
                byte[][] buffers = ahead.Dequeue().GetAwaiter().GetResult();
                for (int k = 0; k < buffers.Length; k++)
                {
                    var span = buffers[k].AsSpan(0, chunks[unit.First + k].Length);
                    whole.AppendData(span);
                    destination?.Write(span);
                    ArrayPool<byte>.Shared.Return(buffers[k]);
                    at += span.Length;
                }
                progress?.Report(at);
            }
        }
        finally
        {
            // After a failure, the reads still running finish on their own; their buffers go back to the pool.
            foreach (var pending in ahead)
            {
                _ = pending.ContinueWith(static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        foreach (byte[] b in t.Result)
                            ArrayPool<byte>.Shared.Return(b);
                    }
                    return t.Exception;
                }, TaskScheduler.Default);
            }
        }
        string sha = Convert.ToHexStringLower(whole.GetHashAndReset());
        if (at != file.Length || sha != file.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' put together from its chunks is {at:N0} bytes with SHA-256 {sha[..16]}…, the manifest says {file.Length:N0} bytes, {file.Sha256[..16]}…");
        return at;
    }

    /// <summary>Units read and checked ahead of the one being written during a restore.</summary>
    private const int ReadAheadUnits = 8;

    /// <summary>The most bytes of a pack one read takes (eight in flight bound a restore's buffers).</summary>
    private const int MaxReadBytes = 1 << 20;

    /// <summary>The most bytes of frames a file does not need that a read of a pack may take in passing, rather than be cut in two.</summary>
    private const int MaxGapBytes = 64 << 10;

    /// <summary>Chunks <see cref="First"/> .. +<see cref="Count"/> of a file, starting at byte <see cref="FileOffset"/>; packed ones with the range of their pack to read.</summary>
    private readonly record struct ReadUnit(int First, int Count, long FileOffset, string? Pack, long PackOffset, int PackLength);

    /// <summary>Cuts a file's chunks into units: each loose chunk alone; packed ones in runs that follow each other in one pack, with small gaps, up to <see cref="MaxReadBytes"/>.</summary>
    private static List<ReadUnit> PlanReads(IReadOnlyList<ChunkRef> chunks, ChunkLocation?[] locations)
    {
        var units = new List<ReadUnit>();
        long at = 0;
        for (int i = 0; i < chunks.Count;)
        {
            if (locations[i] is not { } first)
            {
                units.Add(new ReadUnit(i, 1, at, null, 0, 0));
                at += chunks[i++].Length;
                continue;
            }
            long end = first.Offset + first.StoredLength;
            int j = i + 1;
            long fileAt = at + chunks[i].Length;
            while (j < chunks.Count && locations[j] is { } n && n.Pack == first.Pack && n.Offset >= end && n.Offset - end <= MaxGapBytes
                   && n.Offset + n.StoredLength - first.Offset <= MaxReadBytes)
            {
                end = n.Offset + n.StoredLength;
                fileAt += chunks[j++].Length;
            }
            units.Add(new ReadUnit(i, j - i, at, first.Pack, first.Offset, (int)(end - first.Offset)));
            at = fileAt;
            i = j;
        }
        return units;
    }

    /// <summary>Reads a unit's chunks and checks each against its key; returns their bytes in pooled buffers (each at least its chunk's length).</summary>
    private static byte[][] ReadUnitChunks(IChunkStore store, BackupManifest backup, BackupFileEntry file, IReadOnlyList<ChunkRef> chunks, ChunkLocation?[] locations, ReadUnit unit)
    {
        var buffers = new byte[unit.Count][];
        // A pack gone since it was located (a prune repacked it) is looked for again chunk by chunk.
        byte[]? range = unit.Pack is null ? null : store.TryReadPack(unit.Pack, unit.PackOffset, unit.PackLength);
        long at = unit.FileOffset;
        for (int k = 0; k < unit.Count; k++)
        {
            var chunk = chunks[unit.First + k];
            if (range is null)
            {
                buffers[k] = ReadChecked(store, backup, file, chunk, at);
            }
            else
            {
                var where = locations[unit.First + k]!.Value;
                buffers[k] = Decode(range.AsSpan((int)(where.Offset - unit.PackOffset), where.StoredLength), store, backup, file, chunk, at, where.Pack);
            }
            at += chunk.Length;
        }
        return buffers;
    }

    /// <summary>Reads one chunk and checks it against its key; returns its bytes in a pooled buffer (at least its length).</summary>
    private static byte[] ReadChecked(IChunkStore store, BackupManifest backup, BackupFileEntry file, ChunkRef chunk, long at)
    {
        byte[] framed = store.TryRead(chunk.Sha256)
            ?? throw new BackupIntegrityException(backup.Id, $"{Where(file, chunk, at)} is missing from {store.Description}");
        return Decode(framed, store, backup, file, chunk, at, pack: null);
    }

    /// <summary>Decodes one framed chunk into a pooled buffer and checks it against its key.</summary>
    private static byte[] Decode(ReadOnlySpan<byte> framed, IChunkStore store, BackupManifest backup, BackupFileEntry file, ChunkRef chunk, long at, string? pack)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, chunk.Length));
        if (ChunkCodec.TryDecode(framed, chunk.Sha256, bytes.AsSpan(0, chunk.Length)) is { } problem)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw new BackupIntegrityException(backup.Id, $"{Where(file, chunk, at)} in {store.Description}{(pack is null ? "" : $" (pack {pack})")}: {problem}");
        }
        return bytes;
    }

    private static string Where(BackupFileEntry file, ChunkRef chunk, long at) => $"chunk {chunk.Sha256} (bytes {at:N0}..{at + chunk.Length:N0} of '{file.Name}')";
}

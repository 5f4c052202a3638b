using System.Buffers;
using System.Diagnostics;
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
                byte[] framed = ChunkCodec.Encode(chunk, kind, span.Compress);
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
    public static long Restore(IChunkStore store, BackupManifest backup, BackupFileEntry file, Stream? destination, IProgress<long>? progress = null) =>
        Restore(store, backup, file, destination, progress, times: null);

    /// <param name="times">Where the time goes, added to (null: not measured).</param>
    internal static long Restore(IChunkStore store, BackupManifest backup, BackupFileEntry file, Stream? destination, IProgress<long>? progress, ChunkRestoreTimes? times)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentNullException.ThrowIfNull(file);
        var chunks = file.Chunks ?? throw new ArgumentException($"'{file.Name}' is stored whole, not in chunks.", nameof(file));
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Chunks are read in windows of about a mebibyte of the file: a loose chunk by itself, packed ones grouped by
        // pack and read in ranges that cover them in pack order (a restore of a backup made after many others takes its
        // pages from many packs, in no order). Windows are decoded and checked against their keys a few ahead on the
        // thread pool (a read or an S3 GET overlaps the work on the window before, and a second core hashes), while
        // this thread adds each chunk to the whole file's hash and writes it, in file order: the first bad chunk in the
        // file is the one named.
        long started = Stopwatch.GetTimestamp();
        var locations = chunks.Select(c => store.Locate(c.Sha256)).ToArray();
        var units = PlanWindows(chunks, locations);
        times?.AddPlan(Stopwatch.GetTimestamp() - started);
        var ahead = new Queue<Task<RentedBytes[]>>();
        int next = 0;
        long at = 0;
        // Database chunks are single 4 KiB pages: gathered into writes of up to a mebibyte rather than a call each.
        var output = destination is null ? null : new BufferedStream(destination, WindowBytes);
        try
        {
            foreach (var unit in units)
            {
                while (next < units.Count && ahead.Count < ReadAheadWindows)
                {
                    var u = units[next++];
                    ahead.Enqueue(Task.Run(() => ReadWindow(store, backup, file, chunks, locations, u, times)));
                }
                long waiting = Stopwatch.GetTimestamp();
                RentedBytes[] buffers = ahead.Dequeue().GetAwaiter().GetResult();
                long writing = Stopwatch.GetTimestamp();
                times?.AddWait(writing - waiting);
                foreach (var buffer in buffers)
                {
                    var span = buffer.Span;
                    whole.AppendData(span);
                    output?.Write(span);
                    buffer.Return();
                    at += span.Length;
                }
                times?.AddWrite(Stopwatch.GetTimestamp() - writing);
                progress?.Report(at);
            }
            output?.Flush();
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
                        foreach (var b in t.Result)
                            b.Return();
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

    /// <summary>Windows read and checked ahead of the one being written during a restore.</summary>
    private const int ReadAheadWindows = 8;

    /// <summary>The file bytes a window takes (or one chunk, when larger).</summary>
    private const int WindowBytes = 1 << 20;

    /// <summary>The most bytes of a pack one read takes.</summary>
    private const int MaxReadBytes = 1 << 20;

    /// <summary>The most bytes of frames a window does not need that a read of a pack may take in passing, rather than be cut in two.</summary>
    private const int MaxGapBytes = 64 << 10;

    /// <summary>Chunks <see cref="First"/> .. +<see cref="Count"/> of a file, starting at byte <see cref="FileOffset"/>.</summary>
    private readonly record struct Window(int First, int Count, long FileOffset);

    /// <summary>
    /// Cuts a file's chunks into windows: a loose chunk by itself (windows are read ahead in parallel, and a window's
    /// loose chunks would be read one after another), consecutive packed ones up to about <see cref="WindowBytes"/>.
    /// </summary>
    private static List<Window> PlanWindows(IReadOnlyList<ChunkRef> chunks, ChunkLocation?[] locations)
    {
        var units = new List<Window>();
        long at = 0;
        for (int i = 0; i < chunks.Count;)
        {
            long start = at;
            int j = i;
            do
                at += chunks[j++].Length;
            while (locations[i] is not null && j < chunks.Count && locations[j] is not null && at - start + chunks[j].Length <= WindowBytes);
            units.Add(new Window(i, j - i, start));
            i = j;
        }
        return units;
    }

    /// <summary>Reads a window's chunks and checks each against its key; returns their bytes, in pooled buffers where they could be.</summary>
    private static RentedBytes[] ReadWindow(IChunkStore store, BackupManifest backup, BackupFileEntry file, IReadOnlyList<ChunkRef> chunks, ChunkLocation?[] locations, Window unit, ChunkRestoreTimes? times)
    {
        long started = Stopwatch.GetTimestamp();
        var framed = new ReadOnlyMemory<byte>?[unit.Count];
        var ranges = new List<RentedBytes>();
        var buffers = new RentedBytes[unit.Count];
        int done = 0;
        try
        {
            ChunkLocation At(int k) => locations[unit.First + k]!.Value;
            var packed = Enumerable.Range(0, unit.Count).Where(k => locations[unit.First + k] is not null);
            foreach (var inPack in packed.GroupBy(k => At(k).Pack, StringComparer.Ordinal))
            {
                var ordered = inPack.OrderBy(k => At(k).Offset).ToList();
                for (int i = 0; i < ordered.Count;)
                {
                    long start = At(ordered[i]).Offset, end = start + At(ordered[i]).StoredLength;
                    int j = i + 1;
                    for (; j < ordered.Count; j++)
                    {
                        var next = At(ordered[j]);
                        if (next.Offset - end > MaxGapBytes || next.Offset + next.StoredLength - start > MaxReadBytes)
                            break;
                        // A page that comes twice in the file is one frame in the pack.
                        end = Math.Max(end, next.Offset + next.StoredLength);
                    }
                    // A pack gone since it was located (a prune rewrote it): its chunks are looked for again one by one below.
                    if (ReadPack(store, inPack.Key, start, (int)(end - start)) is { } range)
                    {
                        ranges.Add(range);
                        for (int m = i; m < j; m++)
                            framed[ordered[m]] = range.Array.AsMemory(range.Offset + (int)(At(ordered[m]).Offset - start), At(ordered[m]).StoredLength);
                    }
                    i = j;
                }
            }
            long at = unit.FileOffset;
            long read = 0, decode = 0;
            long mark = Stopwatch.GetTimestamp();
            read += mark - started;
            for (; done < unit.Count; done++)
            {
                var chunk = chunks[unit.First + done];
                if (framed[done] is { } frame)
                {
                    buffers[done] = new RentedBytes(Decode(frame.Span, store, backup, file, chunk, at, At(done).Pack), 0, chunk.Length, Pooled: true);
                }
                else
                {
                    var loose = ReadLoose(store, chunk.Sha256) ?? throw new BackupIntegrityException(backup.Id, $"{Where(file, chunk, at)} is missing from {store.Description}");
                    long now = Stopwatch.GetTimestamp();
                    read += now - mark;
                    mark = now;
                    buffers[done] = DecodeLoose(loose, store, backup, file, chunk, at);
                }
                long decoded = Stopwatch.GetTimestamp();
                decode += decoded - mark;
                mark = decoded;
                at += chunk.Length;
            }
            times?.AddRead(read);
            times?.AddDecode(decode);
            return buffers;
        }
        catch
        {
            for (int k = 0; k < done; k++)
                buffers[k].Return();
            throw;
        }
        finally
        {
            foreach (var range in ranges)
                range.Return();
        }
    }

    private static RentedBytes? ReadPack(IChunkStore store, string pack, long offset, int length) => store is PackingChunkStore packing
        ? packing.TryReadPackRented(pack, offset, length)
        : store.TryReadPack(pack, offset, length) is { } bytes ? new RentedBytes(bytes, 0, bytes.Length, Pooled: false) : null;

    /// <summary>A chunk in no pack known: loose, into a pooled buffer where the store can, else however the store finds it (in a pack written or repacked since they were listed).</summary>
    private static RentedBytes? ReadLoose(IChunkStore store, string sha256)
    {
        if (store is PackingChunkStore packing && packing.TryReadLooseRented(sha256) is { } rented)
            return rented;
        return store.TryRead(sha256) is { } bytes ? new RentedBytes(bytes, 0, bytes.Length, Pooled: false) : null;
    }

    /// <summary>Checks a chunk read by itself; one stored as is (an index's vectors) is used where it was read, without a copy.</summary>
    private static RentedBytes DecodeLoose(RentedBytes loose, IChunkStore store, BackupManifest backup, BackupFileEntry file, ChunkRef chunk, long at)
    {
        try
        {
            if (ChunkCodec.TryCheckRaw(loose.Span, chunk.Sha256, chunk.Length, out bool raw) is { } problem)
                throw new BackupIntegrityException(backup.Id, $"{Where(file, chunk, at)} in {store.Description}: {problem}");
            if (raw)
            {
                var payload = loose with { Offset = loose.Offset + ChunkCodec.HeaderBytes, Length = chunk.Length };
                loose = default;
                return payload;
            }
            return new RentedBytes(Decode(loose.Span, store, backup, file, chunk, at, pack: null), 0, chunk.Length, Pooled: true);
        }
        finally
        {
            if (loose.Array is not null)
                loose.Return();
        }
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

using System.Buffers;
using System.Security.Cryptography;

namespace NativeHnsw.Backup;

/// <summary>Stores a file as chunks in a chunk store, and puts one back together, checking every chunk and the whole.</summary>
public static class ChunkedFile
{
    /// <summary>
    /// Cuts <paramref name="content"/> (seekable: read from its start, the head first to plan the chunks, then every
    /// byte once) and puts every chunk <paramref name="known"/> does not hold into <paramref name="store"/>.
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
                if (store.Put(key, framed))
                    stored += framed.Length;
            }
            chunks.Add(new ChunkRef(key, got));
            total += got;
            progress?.Report(total);
        }
        if (content.ReadByte() >= 0)
            throw new IOException($"The file being backed up grew past the {total:N0} bytes its chunks were planned for (changed in place while read).");
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
        // Chunks are read, decoded and checked against their keys a few ahead, on the thread pool (a file opened or an
        // S3 GET overlaps the work on the chunk before, and a second core hashes), while this thread adds each to the
        // whole file's hash and writes it, in file order: the first bad chunk in the file is the one named.
        var ahead = new Queue<Task<byte[]>>();
        int next = 0;
        long at = 0, planned = 0;
        try
        {
            foreach (var chunk in chunks)
            {
                while (next < chunks.Count && ahead.Count < ReadAheadChunks)
                {
                    var c = chunks[next++];
                    long offset = planned;
                    planned += c.Length;
                    ahead.Enqueue(Task.Run(() => ReadChecked(store, backup, file, c, offset)));
                }
                byte[] bytes = ahead.Dequeue().GetAwaiter().GetResult();
                try
                {
                    var span = bytes.AsSpan(0, chunk.Length);
                    whole.AppendData(span);
                    destination?.Write(span);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                }
                at += chunk.Length;
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
                        ArrayPool<byte>.Shared.Return(t.Result);
                    return t.Exception;
                }, TaskScheduler.Default);
            }
        }
        string sha = Convert.ToHexStringLower(whole.GetHashAndReset());
        if (at != file.Length || sha != file.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' put together from its chunks is {at:N0} bytes with SHA-256 {sha[..16]}…, the manifest says {file.Length:N0} bytes, {file.Sha256[..16]}…");
        return at;
    }

    /// <summary>Chunks read and checked ahead of the one being written during a restore.</summary>
    private const int ReadAheadChunks = 8;

    /// <summary>Reads one chunk and checks it against its key; returns its bytes in a pooled buffer (at least its length).</summary>
    private static byte[] ReadChecked(IChunkStore store, BackupManifest backup, BackupFileEntry file, ChunkRef chunk, long at)
    {
        string Where() => $"chunk {chunk.Sha256} (bytes {at:N0}..{at + chunk.Length:N0} of '{file.Name}')";
        byte[] framed = store.TryRead(chunk.Sha256)
            ?? throw new BackupIntegrityException(backup.Id, $"{Where()} is missing from {store.Description}");
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, chunk.Length));
        if (ChunkCodec.TryDecode(framed, chunk.Sha256, bytes.AsSpan(0, chunk.Length)) is { } problem)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw new BackupIntegrityException(backup.Id, $"{Where()} in {store.Description}: {problem}");
        }
        return bytes;
    }
}

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
        byte[] buffer = new byte[ChunkLayout.MaxChunkBytes];
        long at = 0;
        foreach (var chunk in chunks)
        {
            string where = $"chunk {chunk.Sha256} (bytes {at:N0}..{at + chunk.Length:N0} of '{file.Name}')";
            byte[] framed = store.TryRead(chunk.Sha256)
                ?? throw new BackupIntegrityException(backup.Id, $"{where} is missing from {store.Description}");
            var bytes = buffer.AsSpan(0, chunk.Length);
            if (ChunkCodec.TryDecode(framed, chunk.Sha256, bytes) is { } problem)
                throw new BackupIntegrityException(backup.Id, $"{where} in {store.Description}: {problem}");
            whole.AppendData(bytes);
            destination?.Write(bytes);
            at += chunk.Length;
            progress?.Report(at);
        }
        string sha = Convert.ToHexStringLower(whole.GetHashAndReset());
        if (at != file.Length || sha != file.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' put together from its chunks is {at:N0} bytes with SHA-256 {sha[..16]}…, the manifest says {file.Length:N0} bytes, {file.Sha256[..16]}…");
        return at;
    }
}

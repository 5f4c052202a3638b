using System.Buffers;
using NativeHnsw.IO;

namespace NativeHnsw.Backup;

/// <summary>
/// The chunks of a <see cref="LocalFolderTarget"/>: loose ones in <c>ROOT/.chunks/XX/KEY</c> (XX the key's first two
/// hex digits, so no folder holds more than 1/256 of them), packs in <c>ROOT/.chunks/packs/NAME.pack</c> and
/// <c>NAME.idx</c>, leases in <c>ROOT/.chunks/leases/</c>. Each object is written to a temporary file and left there
/// until <see cref="Flush"/> (which a backup calls before its manifest): it fsyncs every file written since, renames
/// them into place and fsyncs each folder once. So a present key or pack is always whole and durable, and a backup of
/// N new chunks waits for its disk once rather than N times.
/// </summary>
/// <remarks>
/// The rename waits for the fsync: renamed first, a crash could leave a key whose content never reached the disk, and
/// a later backup would reference it without storing it. Until then the written objects are pending: a second put of
/// a pending key stores nothing (one content per key), and a read finds the temporary file. A pack's index is renamed
/// only after its data is durable under its own name, so an index present always has its data. A writer killed
/// before its flush leaves only temporary files, which no manifest references and a prune sweeps.
/// </remarks>
internal sealed class LocalChunkStore : PackingChunkStore
{
    private const string TempSuffix = ".tmp";
    private readonly string _root;
    private readonly string _leases;
    private readonly string _packs;
    /// <summary>Objects put since the last <see cref="Flush"/> (being written or written): final path → temporary file; <see cref="_pendingOrder"/> holds the order put.</summary>
    private readonly Dictionary<string, PendingObject> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _pendingOrder = [];
    private readonly Lock _lock = new();

    /// <summary>Held for a whole <see cref="Flush"/>: a second backup's flush returns only once the first one's renames are durable (they may hold its chunks).</summary>
    private readonly Lock _flushLock = new();

    public LocalChunkStore(string targetRoot)
    {
        _root = Path.Combine(targetRoot, ".chunks");
        _leases = Path.Combine(_root, "leases");
        _packs = Path.Combine(_root, "packs");
    }

    public override string Description => _root;

    protected override IReadOnlyList<StoredChunk> ListLoose()
    {
        if (!Directory.Exists(_root))
            return [];
        var chunks = new List<StoredChunk>();
        return Guard(null, "list", () =>
        {
            foreach (var dir in new DirectoryInfo(_root).EnumerateDirectories())
            {
                if (dir.Name.Length != 2)
                    continue;
                foreach (var file in dir.EnumerateFiles())
                {
                    if (ChunkKeys.IsKey(file.Name))
                        chunks.Add(new StoredChunk(file.Name, file.Length));
                }
            }
            // This store's pending chunks count as stored: they are durable in place before any manifest that lists them.
            var listed = chunks.Select(c => c.Sha256).ToHashSet(StringComparer.Ordinal);
            foreach (var (path, length) in Pending(_root))
            {
                string key = Path.GetFileName(path);
                if (ChunkKeys.IsKey(key) && listed.Add(key))
                    chunks.Add(new StoredChunk(key, length));
            }
            return chunks;
        });
    }

    public override bool Put(string sha256, ReadOnlySpan<byte> framed)
    {
        string path = PathOf(sha256);
        if (File.Exists(path))
            return false;
        byte[] copy = framed.ToArray();
        return Guard(sha256, "store", () => WritePending(path, copy));
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, to be made durable and
    /// renamed by <see cref="Flush"/>; false when that path is pending already (one content per name).
    /// </summary>
    private bool WritePending(string path, byte[] bytes)
    {
        var pending = new PendingObject(path + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix, bytes.Length);
        lock (_lock)
        {
            // In the order from now on, not once written: a flush that starts meanwhile (another backup's, whose put of
            // the same key returned false) waits for this write rather than return before the key is in place.
            if (!_pending.TryAdd(path, pending))
                return false;
            _pendingOrder.Add(path);
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = new FileStream(pending.Temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            file.Write(bytes);
        }
        catch
        {
            lock (_lock)
            {
                if (_pending.GetValueOrDefault(path) == pending)
                {
                    _pending.Remove(path);
                    _pendingOrder.Remove(path);
                }
            }
            pending.Written.SetResult(false);
            FileCleanup.TryDeleteFile(pending.Temporary); // if it stays, a prune sweeps it
            throw;
        }
        pending.Written.SetResult(true);
        return true;
    }

    protected override IReadOnlyDictionary<string, PackObject> ListPackObjects()
    {
        if (!Directory.Exists(_packs))
            return new Dictionary<string, PackObject>();
        return Guard(null, "list packs", () =>
        {
            var objects = new DirectoryInfo(_packs).EnumerateFiles()
                .Where(f => !f.Name.EndsWith(TempSuffix, StringComparison.Ordinal))
                .ToDictionary(f => f.Name, f => new PackObject(f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)), StringComparer.Ordinal);
            foreach (var (path, length) in Pending(_packs))
                objects.TryAdd(Path.GetFileName(path), new PackObject(length, DateTimeOffset.UtcNow));
            return (IReadOnlyDictionary<string, PackObject>)objects;
        });
    }

    /// <summary>This store's pending objects (final paths and lengths) in the folders under <paramref name="folder"/>: the chunk root takes the two-digit folders, the pack folder itself.</summary>
    private List<(string Path, long Length)> Pending(string folder)
    {
        lock (_lock)
        {
            return [.. _pending.Where(p => folder == _packs
                    ? Path.GetDirectoryName(p.Key) == _packs
                    : Path.GetDirectoryName(p.Key) is { } parent && parent != _packs && Path.GetDirectoryName(parent) == _root)
                .Select(p => (p.Key, p.Value.Length))];
        }
    }

    /// <summary>An object put and not yet flushed: its temporary file, its length, and whether its write is done (true) or failed (false).</summary>
    private sealed class PendingObject(string temporary, long length)
    {
        public string Temporary { get; } = temporary;

        public long Length { get; } = length;

        public TaskCompletionSource<bool> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The temporary files of <see cref="WritePending"/> that were never renamed into place (a writer killed between
    /// the write and the rename), in the chunk folders and the pack folder: full paths, lengths and last writes.
    /// None is a chunk or a pack; a live writer's own is removed by the writer.
    /// </summary>
    internal IReadOnlyList<(string Path, long Length, DateTimeOffset WrittenUtc)> ListTemporary()
    {
        if (!Directory.Exists(_root))
            return [];
        return Guard(null, "list temporary files", () => new DirectoryInfo(_root).EnumerateDirectories()
            .Where(d => d.Name.Length == 2 || d.FullName == _packs)
            .SelectMany(d => d.EnumerateFiles("*" + TempSuffix))
            .Select(f => (f.FullName, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToList());
    }

    /// <summary>Deletes a file <see cref="ListTemporary"/> listed (gone already is fine).</summary>
    internal void DeleteTemporary(string path) => Guard(null, "delete " + Path.GetFileName(path), () =>
    {
        if (!path.EndsWith(TempSuffix, StringComparison.Ordinal) || !path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{path}' is not a temporary file of {_root}.", nameof(path));
        File.Delete(path);
        return 0;
    });

    protected override byte[]? TryReadPackObject(string objectName, long offset, int length)
    {
        if (ReadObject(Path.Combine(_packs, objectName), objectName, offset, length, pooled: false) is not { } read)
            return null;
        return read.Length == read.Array.Length ? read.Array : read.Array[..read.Length];
    }

    internal override RentedBytes? TryReadPackRented(string name, long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        string objectName = ChunkKeys.Check(name) + DataSuffix;
        return ReadObject(Path.Combine(_packs, objectName), objectName, offset, length, pooled: true);
    }

    internal override RentedBytes? TryReadLooseRented(string sha256) => ReadObject(PathOf(sha256), "chunk " + sha256, 0, -1, pooled: true);

    /// <summary>
    /// Bytes <paramref name="offset"/> .. +<paramref name="length"/> of a file (-1: to its end), in a buffer of that
    /// length or, <paramref name="pooled"/>, from the pool; null when the file is gone or shorter.
    /// </summary>
    private RentedBytes? ReadObject(string path, string what, long offset, int length, bool pooled)
    {
        PendingObject? pending;
        lock (_lock)
            pending = _pending.GetValueOrDefault(path);
        // A pending object is read from its temporary file once written (never half of it); one renamed meanwhile, from its place.
        bool written = pending is not null && pending.Written.Task.GetAwaiter().GetResult();
        return (written ? ReadFile(pending!.Temporary, what, offset, length, pooled) : null) ?? ReadFile(path, what, offset, length, pooled);
    }

    private RentedBytes? ReadFile(string path, string what, long offset, int length, bool pooled)
    {
        byte[]? bytes = null;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (length < 0)
                length = checked((int)(RandomAccess.GetLength(handle) - offset));
            bytes = pooled ? ArrayPool<byte>.Shared.Rent(Math.Max(1, length)) : new byte[length];
            int got = 0;
            while (got < length)
            {
                int n = RandomAccess.Read(handle, bytes.AsSpan(got, length - got), offset + got);
                if (n == 0)
                    return null;
                got += n;
            }
            var read = new RentedBytes(bytes, 0, length, pooled);
            bytes = null;
            return read;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot read {what} in {_root}: {e.Message}", e);
        }
        finally
        {
            if (pooled && bytes is not null)
                ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    protected override void PutPackObject(string objectName, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Guard(null, $"store {objectName}", () => WritePending(Path.Combine(_packs, objectName), copy));
    }

    protected override void DeletePackObject(string objectName) => Guard(null, $"delete {objectName}", () =>
    {
        DeleteObject(Path.Combine(_packs, objectName));
        return 0;
    });

    /// <summary>Deletes an object in place, and its pending copy if it has one (so a later flush does not put it back).</summary>
    private void DeleteObject(string path)
    {
        string? temporary = null;
        lock (_lock)
        {
            if (_pending.Remove(path, out var pending))
            {
                temporary = pending.Temporary;
                _pendingOrder.Remove(path);
            }
        }
        if (temporary is not null)
            File.Delete(temporary);
        File.Delete(path);
    }

    protected override byte[]? TryReadLoose(string sha256) => ReadObject(PathOf(sha256), "chunk " + sha256, 0, -1, pooled: false)?.Array;

    /// <summary>
    /// Makes every object written since the last flush durable under its name: fsyncs the temporary files (several at
    /// once, so the file system can commit them together), renames loose chunks and pack data into place and fsyncs
    /// their folders, then the same for pack indexes, then the chunk root (new folders). An object another writer put
    /// in place meanwhile is kept, and the temporary copy deleted.
    /// </summary>
    public override void Flush()
    {
        lock (_flushLock)
        {
            (string Path, PendingObject Pending)[] put;
            lock (_lock)
            {
                put = [.. _pendingOrder.Select(p => (p, _pending[p]))];
                _pendingOrder.Clear();
            }
            if (put.Length == 0)
                return;
            (string Path, string Temporary)[] written = [.. put.Select(p => (p.Path, p.Pending.Temporary))];
            try
            {
                Guard(null, "flush", () =>
                {
                    // A write still under way (another thread's put) is waited for; one that failed fails this flush,
                    // as a backup that found its key pending counts on it.
                    foreach (var (path, pending) in put)
                    {
                        if (!pending.Written.Task.GetAwaiter().GetResult())
                            throw new IOException($"the write of {Path.GetFileName(path)} failed");
                    }
                    Parallel.ForEach(written, new ParallelOptions { MaxDegreeOfParallelism = SyncParallelism }, w =>
                    {
                        using var file = new FileStream(w.Temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);
                        file.Flush(flushToDisk: true);
                    });
                    bool IsIndex((string Path, string) w) => w.Path.EndsWith(IndexSuffix, StringComparison.Ordinal);
                    RenameAndSync([.. written.Where(w => !IsIndex(w))]);
                    RenameAndSync([.. written.Where(IsIndex)]);
                    DurableFile.SyncDirectory(_root);
                    return 0;
                });
            }
            finally
            {
                // Renamed or not, these are no longer pending: a failed flush leaves temporary files, which a prune sweeps.
                lock (_lock)
                {
                    foreach (var (path, pending) in put)
                    {
                        if (_pending.GetValueOrDefault(path) == pending)
                            _pending.Remove(path);
                    }
                }
            }
        }
    }

    /// <summary>Flush's fsyncs at once: a few more than the cores, as they wait for the disk rather than compute.</summary>
    private static int SyncParallelism => Math.Max(4, Environment.ProcessorCount * 2);

    private static void RenameAndSync((string Path, string Temporary)[] written)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, temporary) in written)
        {
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
            folders.Add(Path.GetDirectoryName(path)!);
        }
        foreach (string folder in folders)
            DurableFile.SyncDirectory(folder);
    }

    public override void Delete(string sha256) => Guard(sha256, "delete", () =>
    {
        DeleteObject(PathOf(sha256));
        return 0;
    });

    public override void WriteLease(string name, DateTimeOffset startedUtc) => Guard(null, $"write lease '{name}'", () =>
    {
        Directory.CreateDirectory(_leases);
        string path = Path.Combine(_leases, LeaseFile(name));
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(ChunkLease.Encode(startedUtc));
            file.Flush(flushToDisk: true);
        }
        DurableFile.SyncDirectory(_leases);
        return 0;
    });

    public override IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now)
    {
        if (!Directory.Exists(_leases))
            return [];
        return Guard(null, "list leases", () =>
        {
            var leases = new List<ChunkLease>();
            foreach (var file in new DirectoryInfo(_leases).EnumerateFiles())
            {
                byte[] content;
                try
                {
                    content = File.ReadAllBytes(file.FullName);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }
                leases.Add(ChunkLease.Decode(file.Name, content, now));
            }
            return leases;
        });
    }

    public override void DeleteLease(string name) => Guard(null, $"delete lease '{name}'", () =>
    {
        File.Delete(Path.Combine(_leases, LeaseFile(name)));
        return 0;
    });

    private static string LeaseFile(string name) =>
        BackupManifest.IsValidName(name) ? name : throw new ArgumentException($"'{name}' is not a valid lease name.", nameof(name));

    private string PathOf(string sha256) => Path.Combine(_root, ChunkKeys.Check(sha256)[..2], sha256);

    private T Guard<T>(string? key, string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackupException)
        {
            throw new BackupTargetException(null, $"cannot {what}{(key is null ? "" : " chunk " + key)} in {_root}: {e.Message}", e);
        }
    }
}

using System.Buffers;
using NativeHnsw.IO;

namespace NativeHnsw.Backup;

/// <summary>
/// The chunks of a <see cref="LocalFolderTarget"/>: loose ones in <c>ROOT/.chunks/XX/KEY</c> (XX the key's first two
/// hex digits, so no folder holds more than 1/256 of them), packs in <c>ROOT/.chunks/packs/NAME.pack</c> and
/// <c>NAME.idx</c>, leases in <c>ROOT/.chunks/leases/</c>. Each object is written to a temporary file, fsynced and
/// renamed into place, so a present key or pack is always whole; the folders are fsynced by <see cref="Flush"/>,
/// before the manifest that references them.
/// </summary>
internal sealed class LocalChunkStore : PackingChunkStore
{
    private const string TempSuffix = ".tmp";
    private readonly string _root;
    private readonly string _leases;
    private readonly string _packs;
    private readonly HashSet<string> _unsynced = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

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
            return chunks;
        });
    }

    public override bool Put(string sha256, ReadOnlySpan<byte> framed)
    {
        string path = PathOf(sha256);
        if (File.Exists(path))
            return false;
        byte[] copy = framed.ToArray();
        return Guard(sha256, "store", () => WriteWhole(path, copy));
    }

    /// <summary>Writes a temporary file, fsyncs it and renames it to <paramref name="path"/>; false when another writer put it there first (one content per name, so theirs is as good).</summary>
    private bool WriteWhole(string path, byte[] bytes)
    {
        string folder = Path.GetDirectoryName(path)!;
        string temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix;
        Directory.CreateDirectory(folder);
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
        lock (_lock)
            _unsynced.Add(folder);
        return true;
    }

    protected override IReadOnlyDictionary<string, PackObject> ListPackObjects()
    {
        if (!Directory.Exists(_packs))
            return new Dictionary<string, PackObject>();
        return Guard(null, "list packs", () => new DirectoryInfo(_packs).EnumerateFiles()
            .Where(f => !f.Name.EndsWith(TempSuffix, StringComparison.Ordinal))
            .ToDictionary(f => f.Name, f => new PackObject(f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)), StringComparer.Ordinal));
    }

    /// <summary>
    /// The temporary files of <see cref="WriteWhole"/> that were never renamed into place (a writer killed between
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
        Guard(null, $"store {objectName}", () => WriteWhole(Path.Combine(_packs, objectName), copy));
    }

    protected override void DeletePackObject(string objectName) => Guard(null, $"delete {objectName}", () =>
    {
        File.Delete(Path.Combine(_packs, objectName));
        return 0;
    });

    protected override byte[]? TryReadLoose(string sha256) => ReadObject(PathOf(sha256), "chunk " + sha256, 0, -1, pooled: false)?.Array;

    public override void Flush()
    {
        string[] folders;
        lock (_lock)
        {
            folders = [.. _unsynced];
            _unsynced.Clear();
        }
        Guard(null, "flush", () =>
        {
            foreach (string folder in folders)
                DurableFile.SyncDirectory(folder);
            if (folders.Length > 0)
                DurableFile.SyncDirectory(_root);
            return 0;
        });
    }

    public override void Delete(string sha256) => Guard(sha256, "delete", () =>
    {
        File.Delete(PathOf(sha256));
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

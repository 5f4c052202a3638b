using System.Buffers.Binary;

namespace NativeHnsw.Backup;

/// <summary>
/// The contract every target's writer keeps, enforced here once: file names are valid, not the manifest's and not
/// repeated; nothing is written after <see cref="Commit"/> or <see cref="Dispose"/>; the manifest committed is for
/// this backup, valid, and lists exactly the files written (name, role, length and SHA-256 as stored); disposing
/// without a commit abandons what was staged. A target supplies only the storing, the committing and the abandoning.
/// </summary>
public abstract class BackupWriter : IBackupWriter
{
    private readonly Dictionary<string, BackupFileEntry> _written = new(StringComparer.Ordinal);
    private bool _committed;
    private bool _disposed;
    private HashSet<string>? _knownChunks;

    /// <summary>How long a lease stays in force when its holder never removes it (a killed process): the age after which a prune sweeps leftovers.</summary>
    public static TimeSpan LeaseLifetime => BackupPruner.DefaultLeftoverAge;

    protected BackupWriter(string id)
    {
        if (!BackupManifest.IsValidName(id))
            throw new BackupMismatchException(id, "is not a valid backup id (letters, digits, '.', '_', '-', not starting with '.')");
        Id = id;
    }

    public string Id { get; }

    public long StoredBytes { get; private set; }

    /// <summary>The chunk store chunked files go to.</summary>
    protected abstract IChunkStore ChunkStore { get; }

    /// <summary>The clock leases are dated by.</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    /// <summary>True once anything was written (what <see cref="Abandon"/> has to remove).</summary>
    protected bool AnyWritten => _written.Count > 0;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The name is invalid, the manifest's, or already written.</exception>
    /// <exception cref="InvalidOperationException">The backup is committed.</exception>
    public BackupFileEntry Write(string fileName, string role, Stream content, IProgress<long>? bytesWritten = null)
    {
        CheckWrite(fileName, role, content);
        var entry = WriteFile(fileName, role, content, bytesWritten);
        _written.Add(fileName, entry);
        StoredBytes += entry.Length;
        return entry;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The name is invalid, the manifest's, or already written.</exception>
    /// <exception cref="InvalidOperationException">The backup is committed.</exception>
    public BackupFileEntry WriteChunked(string fileName, string role, Stream content, ChunkedFileKind kind, IProgress<long>? bytesWritten = null)
    {
        CheckWrite(fileName, role, content);
        _knownChunks ??= TakeLease();
        (IReadOnlyList<ChunkRef> chunks, long length, string sha, long stored) result;
        try
        {
            result = ChunkedFile.Store(ChunkStore, _knownChunks, content, kind, bytesWritten);
        }
        catch (IOException e) when (e is not BackupException)
        {
            throw new BackupTargetException(Id, $"cannot store the chunks of '{fileName}': {e.Message}", e);
        }
        var entry = new BackupFileEntry(fileName, role, result.length, result.sha) { Chunks = result.chunks };
        _written.Add(fileName, entry);
        StoredBytes += result.stored;
        return entry;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A chunk the source holds in a pack none of whose chunks this store has yet is copied with its whole pack (every
    /// chunk in it checked against its key first), so a copied store backup keeps its pages packed and restores at the
    /// packed pace; any other missing chunk is copied by itself.
    /// </remarks>
    public BackupFileEntry CopyChunked(BackupFileEntry file, IChunkStore source)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(source);
        var chunks = file.Chunks ?? throw new ArgumentException($"'{file.Name}' is stored whole, not in chunks.", nameof(file));
        CheckWrite(file.Name, file.Role, Stream.Null);
        _knownChunks ??= TakeLease();
        byte[] buffer = new byte[ChunkLayout.MaxChunkBytes];
        Dictionary<string, ChunkPack>? packs = null;
        var triedPacks = new HashSet<string>(StringComparer.Ordinal);
        long at = 0;
        foreach (var chunk in chunks)
        {
            if (!_knownChunks.Contains(chunk.Sha256)
                && !(source.Locate(chunk.Sha256) is { } located && triedPacks.Add(located.Pack)
                    && CopyPack((packs ??= source.ListPacks().ToDictionary(p => p.Name, StringComparer.Ordinal)).GetValueOrDefault(located.Pack), source, buffer)))
            {
                string where = $"chunk {chunk.Sha256} (bytes {at:N0}..{at + chunk.Length:N0} of '{file.Name}')";
                byte[] framed = source.TryRead(chunk.Sha256) ?? throw new BackupIntegrityException(Id, $"{where} is missing from {source.Description}; not copied");
                if (ChunkCodec.TryDecode(framed, chunk.Sha256, buffer.AsSpan(0, chunk.Length)) is { } problem)
                    throw new BackupIntegrityException(Id, $"{where} in {source.Description}: {problem}; not copied");
                if (ChunkStore.Put(chunk.Sha256, framed))
                    StoredBytes += framed.Length;
                _knownChunks.Add(chunk.Sha256);
            }
            at += chunk.Length;
        }
        _written.Add(file.Name, file);
        return file;
    }

    /// <summary>
    /// Copies <paramref name="pack"/> whole when this store holds none of its chunks and every one of them decodes to
    /// its key; false (nothing stored) otherwise, and the file's chunks in it are copied one by one, which names a
    /// damaged one.
    /// </summary>
    private bool CopyPack(ChunkPack? pack, IChunkStore source, byte[] buffer)
    {
        if (pack is null || pack.Chunks.Any(c => _knownChunks!.Contains(c.Sha256)) || pack.DataLength > int.MaxValue)
            return false;
        byte[]? data = source.TryReadPack(pack.Name, 0, (int)pack.DataLength);
        if (data is null || data.Length != pack.DataLength)
            return false;
        foreach (var c in pack.Chunks)
        {
            var frame = data.AsSpan((int)c.Offset, c.StoredLength);
            if (frame.Length < ChunkCodec.HeaderBytes || BinaryPrimitives.ReadInt32LittleEndian(frame[8..]) is not (> 0 and <= ChunkLayout.MaxChunkBytes and var length)
                || ChunkCodec.TryDecode(frame, c.Sha256, buffer.AsSpan(0, length)) is not null)
                return false;
        }
        ChunkStore.PutPack(pack.Name, data, PackIndex.Encode(data.Length, pack.Chunks));
        foreach (var c in pack.Chunks)
        {
            _knownChunks!.Add(c.Sha256);
            StoredBytes += c.StoredLength + PackIndex.EntryBytes;
        }
        return true;
    }

    private void CheckWrite(string fileName, string role, Stream content)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(role);
        if (_committed)
            throw new InvalidOperationException($"Backup '{Id}' is already committed.");
        if (!BackupManifest.IsValidName(fileName) || fileName == BackupManifest.FileName)
            throw new ArgumentException($"'{fileName}' is not a valid backup file name.", nameof(fileName));
        if (_written.ContainsKey(fileName))
            throw new ArgumentException($"'{fileName}' is already written to backup '{Id}'.", nameof(fileName));
    }

    /// <summary>
    /// Writes this backup's lease, then looks for a prune's: written in that order, a prune that looks for backups
    /// after this lease exists stands back, and one that began before is seen here (see <see cref="ChunkCollector"/>).
    /// Returns the chunks the store holds, which no prune can delete while the lease stands.
    /// </summary>
    private HashSet<string> TakeLease()
    {
        var now = Time.GetUtcNow();
        ChunkStore.WriteLease(LeaseName, now);
        try
        {
            foreach (var lease in ChunkStore.ListLeases(now))
            {
                if (lease.IsCollector && now - lease.StartedUtc < LeaseLifetime)
                    throw new BackupTargetException(Id, $"a prune is deleting unreferenced chunks in {ChunkStore.Description} (since {lease.StartedUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}); nothing was stored, back up again when it has finished");
            }
            return [.. ChunkStore.List().Select(c => c.Sha256)];
        }
        catch
        {
            ReleaseLease();
            throw;
        }
    }

    private string LeaseName => ChunkLease.BackupPrefix + Id;

    private void ReleaseLease()
    {
        try
        {
            ChunkStore.DeleteLease(LeaseName);
        }
        catch (BackupException)
        {
            // A lease left behind only holds prunes back until it is older than LeaseLifetime.
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The manifest is for another backup.</exception>
    /// <exception cref="InvalidOperationException">The manifest does not list exactly the files written, or the backup is committed.</exception>
    public void Commit(BackupManifest manifest)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(manifest);
        if (_committed)
            throw new InvalidOperationException($"Backup '{Id}' is already committed.");
        if (manifest.Id != Id)
            throw new ArgumentException($"The manifest is for '{manifest.Id}', not '{Id}'.", nameof(manifest));
        manifest.Validate(Id);
        // A manifest that lists a file not stored, or stores one it does not list, would pass every listing and fail
        // only at restore: refuse it now, while the writer can still say what is wrong.
        var listed = manifest.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var (name, entry) in _written)
        {
            if (!listed.TryGetValue(name, out var claimed))
                throw new InvalidOperationException($"Backup '{Id}': '{name}' was written but the manifest does not list it.");
            if (claimed != entry)
                throw new InvalidOperationException($"Backup '{Id}': the manifest lists '{name}' as {claimed.Length} bytes, SHA-256 {claimed.Sha256}, role '{claimed.Role}'; what was stored is {entry.Length} bytes, SHA-256 {entry.Sha256}, role '{entry.Role}'.");
        }
        foreach (var name in listed.Keys)
        {
            if (!_written.ContainsKey(name))
                throw new InvalidOperationException($"Backup '{Id}': the manifest lists '{name}', which was never written.");
        }
        if (_knownChunks is not null)
            ChunkStore.Flush();
        CommitManifest(manifest);
        _committed = true;
        if (_knownChunks is not null)
            ReleaseLease();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_committed)
        {
            Abandon();
            // Chunks stored for an abandoned backup stay until a prune finds them unreferenced.
            if (_knownChunks is not null)
                ReleaseLease();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Stores one file (already checked) and returns its entry: the length and SHA-256 of the bytes stored.</summary>
    protected abstract BackupFileEntry WriteFile(string fileName, string role, Stream content, IProgress<long>? bytesWritten);

    /// <summary>Makes the files durable, writes <paramref name="manifest"/> (already checked) last, and makes the backup visible.</summary>
    protected abstract void CommitManifest(BackupManifest manifest);

    /// <summary>Removes what was staged, best effort: the writer is disposed without a commit. Must not throw.</summary>
    protected abstract void Abandon();
}

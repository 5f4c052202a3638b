using NativeHnsw.Backup.Internal;
using NativeHnsw.IO;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup;

/// <summary>
/// Full backups of a whole persistent store. The store is first fixed as a local snapshot
/// (<see cref="PersistentClient.CreateSnapshot"/>: the database through SQLite's online backup, consistent at one
/// change sequence number while writes go on, plus each collection's newest checkpoint not newer than it), then its
/// files are streamed to the target with their SHA-256, manifest last.
/// </summary>
public static class StoreBackup
{
    /// <summary>The database file's name and role inside a backup (the name it has in a store folder).</summary>
    public const string DatabaseFileName = StoreFolder.DatabaseFileName;

    public const string DatabaseRole = "database";

    /// <summary>The role of a collection's index checkpoint in a manifest.</summary>
    public const string CheckpointRole = "collection-index";

    /// <summary>Backs up the store a client has open; its writers go on meanwhile.</summary>
    /// <exception cref="BackupException">The snapshot or the target failed.</exception>
    public static BackupManifest Backup(PersistentClient client, IBackupTarget target, BackupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new BackupOptions();
        var createdUtc = (options.CreatedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime();
        string folder = Path.Combine(options.TempDirectory ?? Path.GetTempPath(), $"nhnsw-store-snapshot-{Guid.NewGuid():N}");
        try
        {
            var snapshot = client.CreateSnapshot(folder, options.ProbeQueries);
            return Upload(snapshot, client.Path, createdUtc, target, options);
        }
        finally
        {
            FileCleanup.TryDeleteFolder(folder);
        }
    }

    /// <summary>
    /// Backs up only what changed since <paramref name="parentId"/> (default: the newest backup of this same store in the
    /// target; a target may hold several stores, and a delta against another store's state would be meaningless):
    /// the records new or changed since then, whole, and the ids deleted, as one delta file chained to its parent.
    /// The records are read in place (<see cref="PersistentClient.OpenReadView"/>: one read transaction on the store's
    /// database, consistent at one change sequence while writes go on), not from a copy of the store as a full backup
    /// takes, since no store file goes into an incremental; the parent's small state file (a digest per record) is all
    /// of the parent that is read.
    /// </summary>
    /// <exception cref="BackupException">There is no parent to chain to, its state file fails its checksum, or the target failed.</exception>
    public static BackupManifest BackupIncremental(PersistentClient client, IBackupTarget target, string? parentId = null, BackupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(target);
        return BackupIncremental(client, BackupCatalog.Load(target), parentId, options);
    }

    /// <summary>
    /// As <see cref="BackupIncremental(PersistentClient, IBackupTarget, string?, BackupOptions?)"/>, into
    /// <paramref name="catalog"/>'s target, choosing the parent from that catalog as loaded (a caller that has just
    /// loaded it, a scheduler with a <see cref="ManifestCache"/>, saves loading it again).
    /// </summary>
    /// <exception cref="BackupException">There is no parent to chain to, its state file fails its checksum, or the target failed.</exception>
    public static BackupManifest BackupIncremental(PersistentClient client, BackupCatalog catalog, string? parentId = null, BackupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new BackupOptions();
        var target = catalog.Target;
        var parent = parentId is not null
            ? catalog.Select(BackupSelector.ById(parentId))
            : catalog.Backups.LastOrDefault(b => b.SourceKind == BackupSourceKind.Store && SameSource(b.Source, client.Path))
              ?? throw new BackupChainException(null, $"{target.Description} holds no backup of the store '{client.Path}' to chain an incremental to; take a full backup first");
        if (parent.SourceKind != BackupSourceKind.Store)
            throw new BackupMismatchException(parent.Id, "is not a store backup; an incremental of a store cannot chain to it");
        var parentState = catalog.Cache?.StateOf(parent.Id) ?? ReadState(target, catalog, parent);
        var createdUtc = (options.CreatedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime();
        // An incremental sorts after its parent (ids and order have millisecond resolution).
        if (createdUtc <= parent.CreatedUtc)
            createdUtc = parent.CreatedUtc.AddMilliseconds(1);
        string folder = Path.Combine(options.TempDirectory ?? Path.GetTempPath(), $"nhnsw-store-delta-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            StoreState state;
            StoreSummary summary;
            // The records are read in place, in one read transaction (an incremental copies no store file), and the
            // transaction ends before the upload, so the writer's WAL is held back only while the delta is written.
            using (var content = client.OpenReadView(options.ProbeQueries))
            {
                using (var delta = new FileStream(Path.Combine(folder, StoreDelta.FileName), FileMode.CreateNew, FileAccess.Write))
                    state = StoreDelta.Write(content, parentState, parent.Id, delta).State;
                summary = new StoreSummary(content.Sequence, [.. content.Collections.Select(Summary)]);
            }
            string id = BackupManifest.NewId(createdUtc);
            using var writer = target.Begin(id);
            var files = new List<BackupFileEntry> { Write(writer, folder, StoreDelta.FileName, StoreDelta.FileName, StoreDelta.Role, options) };
            // Only what changed in the state goes with an incremental: the next one rebuilds the whole from the chain.
            using (var patch = new FileStream(Path.Combine(folder, StoreStatePatch.FileName), FileMode.CreateNew, FileAccess.Write))
                StoreStatePatch.Write(parentState, state, patch);
            files.Add(Write(writer, folder, StoreStatePatch.FileName, StoreStatePatch.FileName, StoreStatePatch.Role, options));
            var manifest = new BackupManifest
            {
                FormatVersion = BackupManifest.FormatVersionFor(files),
                Id = id,
                CreatedUtc = createdUtc,
                Kind = BackupKind.Incremental,
                Parent = parent.Id,
                SourceKind = BackupSourceKind.Store,
                Source = client.Path,
                ToolVersion = BackupManifest.LibraryVersion,
                Store = summary,
                Files = files,
                StoredBytes = writer.StoredBytes,
            };
            writer.Commit(manifest);
            catalog.Cache?.KeepState(id, state);
            return manifest;
        }
        finally
        {
            FileCleanup.TryDeleteFolder(folder);
        }
    }

    /// <summary>Whether a manifest's recorded source is this store's folder (full paths, a trailing separator ignored).</summary>
    private static bool SameSource(string recorded, string storeFolder) =>
        string.Equals(BackupPruner.SourceKey(recorded), BackupPruner.SourceKey(storeFolder), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>
    /// Incremental backup of the store in <paramref name="storeFolder"/>, opening it for the time of the snapshot; when
    /// another client has it open, through a read-only open instead (see <see cref="OpenForBackup"/>).
    /// </summary>
    public static BackupManifest BackupIncremental(string storeFolder, IBackupTarget target, string? parentId = null, BackupOptions? options = null)
    {
        using var client = OpenForBackup(storeFolder, out _);
        return BackupIncremental(client, target, parentId, options);
    }

    /// <summary>
    /// Incremental backup of the store in <paramref name="storeFolder"/> into <paramref name="catalog"/>'s target,
    /// the parent chosen from that catalog as loaded (see <see cref="BackupIncremental(PersistentClient, BackupCatalog, string?, BackupOptions?)"/>).
    /// </summary>
    public static BackupManifest BackupIncremental(string storeFolder, BackupCatalog catalog, string? parentId = null, BackupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using var client = OpenForBackup(storeFolder, out _);
        return BackupIncremental(client, catalog, parentId, options);
    }

    /// <summary>
    /// Backs up the store in <paramref name="storeFolder"/>, opening it for the time of the snapshot; when another client
    /// (a service, in this process or another) has it open, through a read-only open instead, while that client's writes
    /// go on (see <see cref="OpenForBackup"/>).
    /// </summary>
    public static BackupManifest Backup(string storeFolder, IBackupTarget target, BackupOptions? options = null)
    {
        using var client = OpenForBackup(storeFolder, out _);
        return Backup(client, target, options);
    }

    /// <summary>
    /// Opens the store in <paramref name="storeFolder"/> to back it up: for writing when no other client has it (with
    /// no timed, on-dispose or after-replay checkpoints, so nothing is written), else, when its <c>LOCK</c> is held,
    /// with <see cref="PersistentClient.OpenForSnapshot"/> (no lock taken, nothing written; its snapshot reads the store
    /// file beside the writer and re-takes itself if the writer prunes a checkpoint meanwhile). Neither open loads a
    /// collection's index: a snapshot copies files, and a collection read through the client is opened on first use.
    /// </summary>
    /// <param name="storeFolder">The store folder.</param>
    /// <param name="readOnly">True when the store was locked by another client and was opened read-only.</param>
    /// <exception cref="StoreException">The folder is not a store.</exception>
    public static PersistentClient OpenForBackup(string storeFolder, out bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        if (!StoreFolder.IsStore(storeFolder))
            throw new StoreException($"{Path.GetFullPath(storeFolder)}: not a store (no {StoreFolder.DatabaseFileName}).");
        var options = new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null, OnDispose = false, AfterReplayOf = 0 } };
        try
        {
            readOnly = false;
            return new PersistentClient(storeFolder, options);
        }
        catch (StoreLockedException)
        {
            readOnly = true;
            return PersistentClient.OpenForSnapshot(storeFolder, options);
        }
    }

    private static BackupManifest Upload(StoreSnapshot snapshot, string source, DateTimeOffset createdUtc, IBackupTarget target, BackupOptions options)
    {
        string id = BackupManifest.NewId(createdUtc);
        using var writer = target.Begin(id);
        var files = new List<BackupFileEntry> { Write(writer, snapshot.Folder, StoreFolder.DatabaseFileName, DatabaseFileName, DatabaseRole, options, ChunkedFileKind.Database) };
        var collections = new List<StoreCollectionSummary>();
        foreach (var c in snapshot.Collections)
        {
            string? name = null;
            if (c.CheckpointFile is not null)
            {
                name = "collection-" + c.CheckpointFile.Replace('/', '-');
                files.Add(Write(writer, snapshot.Folder, c.CheckpointFile, name, CheckpointRole, options, ChunkedFileKind.Index));
            }
            collections.Add(Summary(c) with { CheckpointFile = name, CheckpointPath = c.CheckpointFile });
        }
        var state = StoreDelta.Write(snapshot, null, "", Stream.Null).State;
        files.Add(WriteState(writer, snapshot.Folder, state, options));
        var manifest = new BackupManifest
        {
            FormatVersion = BackupManifest.FormatVersionFor(files),
            Id = id,
            CreatedUtc = createdUtc,
            Kind = BackupKind.Full,
            SourceKind = BackupSourceKind.Store,
            Source = source,
            ToolVersion = BackupManifest.LibraryVersion,
            Store = new StoreSummary(snapshot.Sequence, collections),
            Files = files,
            StoredBytes = writer.StoredBytes,
        };
        writer.Commit(manifest);
        return manifest;
    }

    internal static StoreCollectionSummary Summary(CollectionSnapshot c) => new()
    {
        Name = c.Name,
        Id = c.Id,
        Dimensions = c.Options.Dimensions,
        Metric = c.Options.Metric,
        M = c.Options.M,
        EfConstruction = c.Options.EfConstruction,
        DefaultEf = c.Options.DefaultEf,
        Seed = c.Options.Seed,
        Records = c.Records,
        SampleIds = c.SampleIds,
    };

    private static BackupFileEntry WriteState(IBackupWriter writer, string folder, StoreState state, BackupOptions options)
    {
        string path = Path.Combine(folder, StoreState.FileName);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            state.Write(stream);
        return Write(writer, folder, StoreState.FileName, StoreState.FileName, StoreState.Role, options);
    }

    /// <summary>
    /// The state of <paramref name="backup"/>: its own whole state file when it has one (full backups, and
    /// incrementals written before state patches), else the newest whole state in its chain with every patch after it applied.
    /// </summary>
    private static StoreState ReadState(IBackupTarget target, BackupCatalog catalog, BackupManifest backup)
    {
        var chain = catalog.ChainOf(backup);
        int from = chain.Count - 1;
        while (from > 0 && !chain[from].Files.Any(f => f.Role == StoreState.Role))
            from--;
        var state = StoreState.Read(ReadSmallFile(target, chain[from], chain[from].FileWithRole(StoreState.Role)), chain[from].Id);
        for (int i = from + 1; i < chain.Count; i++)
            state = StoreStatePatch.Apply(state, ReadSmallFile(target, chain[i], chain[i].FileWithRole(StoreStatePatch.Role)), chain[i].Id);
        return state;
    }

    private static byte[] ReadSmallFile(IBackupTarget target, BackupManifest backup, BackupFileEntry entry)
    {
        using var buffer = new MemoryStream();
        (long Length, string Sha256) got;
        using (var source = target.OpenRead(backup.Id, entry.Name))
            got = HashingCopy.Copy(source, buffer);
        if (got.Length != entry.Length || got.Sha256 != entry.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{entry.Name}' fails its length or SHA-256 check: tampered with or damaged; take a full backup instead");
        return buffer.ToArray();
    }

    /// <param name="chunkAs">With <see cref="BackupOptions.Chunked"/>, how to chunk the file; null: always stored whole.</param>
    private static BackupFileEntry Write(IBackupWriter writer, string folder, string relative, string name, string role, BackupOptions options, ChunkedFileKind? chunkAs = null)
    {
        using var stream = new FileStream(Path.Combine(folder, relative), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        var progress = IndexBackup.Report(options.Progress, "upload", stream.Length);
        return options.Chunked && chunkAs is { } kind
            ? writer.WriteChunked(name, role, stream, kind, progress)
            : writer.Write(name, role, stream, progress);
    }
}

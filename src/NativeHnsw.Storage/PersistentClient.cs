using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A store of named collections in one folder, which survive restarts: the in-process counterpart of Chroma's
/// PersistentClient. Records, documents, metadata and the change log live in SQLite (WAL mode); each collection's
/// HNSW index is checkpointed beside it and, on open, loaded from the newest good checkpoint and brought up to date
/// by replaying the changes after it.
/// </summary>
/// <remarks>
/// One client per store at a time: the client holds <c>&lt;store&gt;/LOCK</c> exclusively, and a second client, in
/// this process or another, gets <see cref="StoreLockedException"/> (never a shared, corrupting writer).
/// A client is thread-safe; collections are opened (and their index recovered) on first use and cached. A recovery
/// runs outside the client's lock (other collections open and work meanwhile; callers of the same collection wait for
/// the one recovery), and the checkpoint timer never waits on a lock: it skips a collection that is busy and tries
/// again on its next tick.
/// <see cref="OpenReadOnly"/> opens a store beside its writer (in this process or another) without the lock: a
/// read-only view fixed as of the open, which never writes to the store.
/// </remarks>
public sealed partial class PersistentClient : IDisposable
{
    private readonly StoreLock? _lock;
    private readonly Dictionary<string, Collection> _open = new(StringComparer.Ordinal);

    /// <summary>Recoveries under way, by name: a second caller waits for the first one's result instead of recovering again.</summary>
    private readonly Dictionary<string, TaskCompletionSource<Collection?>> _opening = new(StringComparer.Ordinal);

    /// <summary>Guards <see cref="_open"/> and <see cref="_opening"/>; held only for dictionary work and short SQL, never across a recovery.</summary>
    private readonly Lock _gate = new();

    /// <summary>A copy of <see cref="_open"/>'s values, replaced under <see cref="_gate"/>, read by the timer without any lock.</summary>
    private Collection[] _openSnapshot = [];

    /// <summary>A one-shot timer, re-armed at the end of each tick, so ticks never overlap or pile up on the pool.</summary>
    private readonly ITimer? _timer;

    /// <summary>Held by a running tick; Dispose takes it to wait for the tick to end (no tick ever waits on it).</summary>
    private readonly Lock _tickRunning = new();
    private readonly TimeSpan _checkpointInterval;
    private readonly TimeSpan _tickPeriod;
    private int _disposed;

    /// <summary>Opens the store in <paramref name="path"/>, creating the folder and an empty store when there is none.</summary>
    /// <exception cref="StoreLockedException">Another client has the store open.</exception>
    /// <exception cref="StoreVersionException">The store was written by a newer format version.</exception>
    /// <exception cref="StoreCorruptException">The database file is damaged or not a database.</exception>
    public PersistentClient(string path, StoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Options = options ?? new StoreOptions();
        if (Options.MaxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be −1 or positive.");
        ArgumentNullException.ThrowIfNull(Options.TimeProvider, "options.TimeProvider");
        Layout = new StoreLayout(path);
        if (File.Exists(Layout.Root))
            throw new StoreException($"{Layout.Root}: is a file; a store is a folder.");
        Directory.CreateDirectory(Layout.Root);
        _lock = StoreLock.Acquire(Layout.Root);
        try
        {
            Database = StoreDatabase.Open(Layout.DatabaseFile, Options.Durability);
            Database.Run(RemoveOrphanFolders);
        }
        catch
        {
            Database?.Dispose();
            _lock.Dispose();
            throw;
        }
        if (Options.Checkpoints.Interval is { } interval && interval > TimeSpan.Zero)
        {
            _checkpointInterval = interval;
            _tickPeriod = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, interval.Ticks / 4));
            // Armed once assigned, so the first tick can re-arm it.
            _timer = Time.CreateTimer(static state => ((PersistentClient)state!).CheckpointTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(_tickPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private PersistentClient(string path, StoreOptions? options, bool readOnly, bool loadIndexes = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Options = options ?? new StoreOptions();
        if (Options.MaxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be −1 or positive.");
        ArgumentNullException.ThrowIfNull(Options.TimeProvider, "options.TimeProvider");
        IsReadOnly = readOnly;
        Layout = new StoreLayout(path);
        if (!Directory.Exists(Layout.Root) || !File.Exists(Layout.DatabaseFile))
            throw new StoreException($"{Layout.Root}: not a store (no store.db); a read-only open creates nothing.");
        // A snapshot-only open reads the file itself: its in-memory copy is made on the first read, if any.
        Database = StoreDatabase.OpenReadOnly(Layout.DatabaseFile, copyNow: loadIndexes);
        if (!loadIndexes)
            return;
        try
        {
            // Every index is brought up now, while the checkpoints that match the database copy are most likely still
            // on disk (the writer keeps two); a collection opened later could only be rebuilt from the records.
            foreach (string name in ListCollections())
                TryOpen(name);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the store in <paramref name="path"/> read-only, alongside the client that has it open for writing (in this
    /// process or another one): no <c>LOCK</c> is taken and nothing in the store folder is written (no checkpoint, no
    /// clean-up of temporary files or deleted collections' folders, no change-log trimming, no migration).
    /// </summary>
    /// <remarks>
    /// The view is a snapshot as of the open: the database is copied into memory through SQLite's online backup
    /// (one read transaction, from a <c>Mode=ReadOnly</c> connection), and each collection's index is loaded from its
    /// newest checkpoint not newer than that copy (falling back to the older one, or a rebuild from the records, when
    /// the writer prunes a checkpoint meanwhile) with the later changes replayed in memory. Writes committed after the
    /// open are not seen; open a new client to see them. The copy costs memory about the size of <c>store.db</c>.
    /// Get, Count, Peek, Query and <see cref="CreateSnapshot"/> work; every write throws <see cref="StoreReadOnlyException"/>.
    /// </remarks>
    /// <exception cref="StoreException">The folder is not a store, or its format needs a migration (open it once for writing).</exception>
    /// <exception cref="StoreVersionException">The store was written by a newer format version.</exception>
    /// <exception cref="StoreCorruptException">The database file is damaged or not a database.</exception>
    public static PersistentClient OpenReadOnly(string path, StoreOptions? options = null) => new(path, options, readOnly: true);

    /// <summary>
    /// Opens the store in <paramref name="path"/> read-only for a snapshot (a backup): as <see cref="OpenReadOnly"/>, but
    /// neither the database's in-memory copy is made nor any collection's index loaded at the open (the schema is
    /// checked). <see cref="CreateSnapshot"/> and <see cref="OpenReadView"/> read the store file as it is now and never an
    /// index, so the copy and the indexes would be all the open's cost for nothing. Reads work as on
    /// <see cref="OpenReadOnly"/>, but the view is fixed as of the first read (the database is copied into memory then);
    /// a collection is opened on its first use, from its newest checkpoint then not newer than the client's copy, else
    /// rebuilt from the records.
    /// </summary>
    /// <exception cref="StoreException">The folder is not a store, or its format needs a migration (open it once for writing).</exception>
    /// <exception cref="StoreVersionException">The store was written by a newer format version.</exception>
    /// <exception cref="StoreCorruptException">The database file is damaged or not a database.</exception>
    public static PersistentClient OpenForSnapshot(string path, StoreOptions? options = null) => new(path, options, readOnly: true, loadIndexes: false);

    /// <summary>The store folder, as a full path.</summary>
    public string Path => Layout.Root;

    /// <summary>Opened with <see cref="OpenReadOnly"/>: a view as of the open, and every write throws <see cref="StoreReadOnlyException"/>.</summary>
    public bool IsReadOnly { get; }

    public StoreOptions Options { get; }

    internal StoreLayout Layout { get; }

    internal StoreDatabase Database { get; }

    /// <summary>The clock of checkpoint intervals.</summary>
    internal TimeProvider Time => Options.TimeProvider;

    /// <summary>Creates a collection with fixed options.</summary>
    /// <exception cref="CollectionExistsException">A collection of that name exists.</exception>
    public Collection CreateCollection(string name, CollectionOptions options) => CreateCollection(name, options, null);

    /// <summary>
    /// Creates a collection with fixed options and metadata. Chroma's <c>hnsw:</c> keys in the metadata map onto the
    /// options (<c>hnsw:space</c> "cosine", "l2" or "ip"; <c>hnsw:M</c>; <c>hnsw:construction_ef</c>;
    /// <c>hnsw:search_ef</c>) and override them; other <c>hnsw:</c> keys are refused. The other keys are stored as
    /// <see cref="Collection.Metadata"/> (string, integer, float or bool values).
    /// </summary>
    /// <exception cref="CollectionExistsException">A collection of that name exists.</exception>
    /// <exception cref="ArgumentException">A bad name, option or metadata entry.</exception>
    public Collection CreateCollection(string name, CollectionOptions options, IReadOnlyDictionary<string, object?>? metadata) =>
        CreateCollection(name, options, metadata, embedder: null);

    private Collection CreateCollection(string name, CollectionOptions options, IReadOnlyDictionary<string, object?>? metadata, Embedder? embedder)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(options);
        options = CollectionMetadata.Apply(name, options, metadata, out var user);
        ValidateOptions(options);
        lock (_gate)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly($"creating collection '{name}'");
            long id = Database.Run(() =>
            {
                lock (Database.WriterLock)
                {
                    try
                    {
                        using var transaction = Database.Writer.BeginTransaction(deferred: false);
                        string? metadataJson = MetadataValues.ToJson(user);
                        long created = StoreDatabase.Scalar<long>(Database.Writer, transaction,
                            $"INSERT INTO collections(name, {CollectionRows.Columns()}, metadata, embedding_model) VALUES (@n, {CollectionRows.Values}, @meta, @model) RETURNING id;",
                            [("@n", name), ("@meta", metadataJson), ("@model", embedder?.Identity.ModelId), .. CollectionRows.Parameters(options)]);
                        if (ShipLog.Begin(Database, transaction, Time) is { } ship)
                        {
                            ShipLog.WriteCreate(ship, name, options, metadataJson, embedder?.Identity.ModelId);
                            ship.Commit();
                        }
                        transaction.Commit();
                        return created;
                    }
                    catch (SqliteException e) when (e.SqliteErrorCode == 19)
                    {
                        throw new CollectionExistsException(Path, name, "exists already.");
                    }
                }
            });
            // A folder left by a crash between a delete's commit and the folder's removal cannot belong to a new id
            // (ids are never reused), but one with this id can only be stale.
            string folder = Layout.CollectionFolder(id);
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            var collection = Collection.Open(this, id, name, options, user, embedder?.Identity.ModelId);
            if (embedder is not null)
                collection.SetEmbedder(embedder);
            _open[name] = collection;
            PublishOpenLocked();
            return collection;
        }
    }

    /// <summary>The collection of that name, opening it (and recovering its index) on first use.</summary>
    /// <exception cref="CollectionNotFoundException">There is none.</exception>
    public Collection GetCollection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryOpen(name) ?? throw new CollectionNotFoundException(Path, name);
    }

    /// <summary>The collection of that name, created with <paramref name="options"/> when there is none.</summary>
    /// <exception cref="CollectionExistsException">It exists with other dimensions, metric or HNSW parameters.</exception>
    public Collection GetOrCreateCollection(string name, CollectionOptions options) => GetOrCreateCollection(name, options, null);

    /// <summary>
    /// Chroma's get-or-create: the collection of that name, returned unchanged when it exists (its metadata is not
    /// replaced by <paramref name="metadata"/>), or created with <paramref name="options"/> and
    /// <paramref name="metadata"/> (see <see cref="CreateCollection(string, CollectionOptions, IReadOnlyDictionary{string, object?}?)"/>).
    /// </summary>
    /// <exception cref="CollectionExistsException">It exists with other dimensions, metric or HNSW parameters (after the <c>hnsw:</c> keys are applied).</exception>
    public Collection GetOrCreateCollection(string name, CollectionOptions options, IReadOnlyDictionary<string, object?>? metadata)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(options);
        var effective = CollectionMetadata.Apply(name, options, metadata, out _);
        ValidateOptions(effective);
        var existing = TryOpen(name);
        if (existing is null)
        {
            ThrowIfReadOnly($"creating collection '{name}'");
            try
            {
                return CreateCollection(name, options, metadata);
            }
            catch (CollectionExistsException)
            {
                // Created by another caller since the look-up: compare with that one.
                existing = TryOpen(name);
                if (existing is null)
                    throw;
            }
        }
        if (existing.Options != effective)
            throw new CollectionExistsException(Path, name, $"exists with other options ({existing.Options}) than the ones asked for ({effective}).");
        return existing;
    }

    /// <summary>Renames a collection and/or replaces its metadata; see <see cref="Collection.Modify"/>.</summary>
    internal void ModifyCollection(Collection collection, string? name, IReadOnlyDictionary<string, object?>? metadata)
    {
        if (name is not null)
            ValidateName(name);
        var user = metadata is null ? null : CollectionMetadata.UserOnly(collection.Name, metadata);
        lock (_gate)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly($"modifying collection '{collection.Name}'");
            string oldName = collection.Name;
            string newName = name ?? oldName;
            if (newName != oldName && _opening.ContainsKey(newName))
                throw new CollectionExistsException(Path, newName, "exists already.");
            Database.Run(() =>
            {
                lock (Database.WriterLock)
                {
                    try
                    {
                        string sql = metadata is null
                            ? "UPDATE collections SET name = @n WHERE id = @id;"
                            : "UPDATE collections SET name = @n, metadata = @meta WHERE id = @id;";
                        using var transaction = Database.Writer.BeginTransaction(deferred: false);
                        string? metadataJson = MetadataValues.ToJson(user);
                        var ship = ShipLog.Begin(Database, transaction, Time, collection.Id); // the name before the update
                        Database.Execute(transaction, sql, ("@n", newName), ("@meta", metadataJson), ("@id", collection.Id));
                        if (ship is not null)
                        {
                            var w = ship.Add(ShipLog.Op.ModifyCollection);
                            w.Write(ship.Collection);
                            w.Write(newName);
                            w.Write(metadata is not null);
                            ShipLog.WriteNullable(w, metadataJson);
                            ship.Commit();
                        }
                        transaction.Commit();
                    }
                    catch (SqliteException e) when (e.SqliteErrorCode == 19)
                    {
                        throw new CollectionExistsException(Path, newName, "exists already.");
                    }
                }
            });
            collection.Renamed(newName, user, setMetadata: metadata is not null);
            if (newName != oldName && _open.Remove(oldName))
            {
                _open[newName] = collection;
                PublishOpenLocked();
            }
        }
    }

    /// <summary>The names of every collection, in ordinal order.</summary>
    public IReadOnlyList<string> ListCollections()
    {
        ThrowIfDisposed();
        return Database.Run(() =>
        {
            using var connection = Database.OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM collections ORDER BY name;";
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read())
                names.Add(reader.GetString(0));
            names.Sort(StringComparer.Ordinal);
            return names;
        });
    }

    /// <summary>Deletes a collection, its records and its checkpoints. Handles to it throw <see cref="CollectionNotFoundException"/> from then on.</summary>
    /// <exception cref="CollectionNotFoundException">There is none.</exception>
    public void DeleteCollection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        while (true)
        {
            Task opening;
            lock (_gate)
            {
                ThrowIfDisposed();
                ThrowIfReadOnly($"deleting collection '{name}'");
                if (!_opening.TryGetValue(name, out var pending))
                {
                    DeleteLocked(name);
                    return;
                }
                opening = pending.Task;
            }
            // A recovery of it is under way: let it finish (and publish its handle, which the delete then closes).
            WaitQuietly(opening);
        }
    }

    private void DeleteLocked(string name)
    {
        long? id = FindId(name);
        if (id is null)
            throw new CollectionNotFoundException(Path, name);
        if (_open.Remove(name, out var collection))
        {
            PublishOpenLocked();
            collection.Close(deleted: true);
        }
        Database.Run(() =>
        {
            lock (Database.WriterLock)
            {
                using var transaction = Database.Writer.BeginTransaction(deferred: false);
                foreach (string table in new[] { "metadata", "records" })
                    Database.Execute(transaction, $"DELETE FROM {table} WHERE collection = @c;", ("@c", id.Value));
                // The shipping log's entries of the collection's commits stay until shipped.
                Database.Execute(transaction, $"DELETE FROM changes WHERE collection = @c AND {ShipLog.IsChange};", ("@c", id.Value));
                Database.Execute(transaction, "DELETE FROM collections WHERE id = @c;", ("@c", id.Value));
                Database.Execute(transaction, "DELETE FROM store_info WHERE key = @k;", ("@k", StoreDatabase.LogFloorKey(id.Value)));
                if (ShipLog.Begin(Database, transaction, Time) is { } ship)
                {
                    ship.Add(ShipLog.Op.DeleteCollection).Write(name);
                    ship.Commit();
                }
                transaction.Commit();
            }
        });
        // After the commit: a crash here leaves a folder without a collection, removed on the next open.
        string folder = Layout.CollectionFolder(id.Value);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>Checkpoints every open collection that has changes since its last checkpoint.</summary>
    public void Checkpoint()
    {
        Collection[] open;
        lock (_gate)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly("a checkpoint");
            open = [.. _open.Values];
        }
        foreach (var collection in open)
            collection.Checkpoint();
    }

    /// <summary>Checkpoints (per <see cref="CheckpointPolicy.OnDispose"/>), closes the database and releases the store's lock.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_timer is not null)
        {
            _timer.Dispose();
            // A tick under way ends before the collections close (a later one sees the disposed flag and does nothing).
            lock (_tickRunning)
            {
            }
        }
        // Recoveries under way finish first (they use the database); each then sees the flag and closes its collection.
        Task[] opening;
        lock (_gate)
            opening = [.. _opening.Values.Select(p => (Task)p.Task)];
        foreach (var task in opening)
            WaitQuietly(task);
        Collection[] open;
        lock (_gate)
            open = [.. _open.Values];
        try
        {
            foreach (var collection in open)
            {
                if (Options.Checkpoints.OnDispose && !IsReadOnly)
                {
                    try
                    {
                        collection.CheckpointOnDispose();
                    }
                    catch (Exception e) when (e is IOException or StoreException or SqliteException)
                    {
                        // Nothing is lost: the changes are in the database and are replayed on the next open.
                        WriteLog($"collection '{collection.Name}': checkpoint on dispose failed ({e.Message}); its changes will be replayed on the next open");
                    }
                }
                collection.Close(deleted: false);
            }
        }
        finally
        {
            Database?.Dispose();
            _lock?.Dispose();
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal void ThrowIfReadOnly(string operation)
    {
        if (IsReadOnly)
            throw new StoreReadOnlyException(Path, operation);
    }

    internal void WriteLog(string line)
    {
        if (Options.Log is { } log)
            log(line);
        else
            Trace.WriteLine("NativeHnsw.Storage: " + line);
    }

    /// <summary>
    /// The collection of that name, or null when there is none: from the cache, or recovered now outside
    /// <see cref="_gate"/> (so the recovery's parallel replay never runs under a lock other threads queue on).
    /// </summary>
    private Collection? TryOpen(string name)
    {
        TaskCompletionSource<Collection?>? pending;
        bool recoverHere = false;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_open.TryGetValue(name, out var cached))
                return cached;
            if (!_opening.TryGetValue(name, out pending))
            {
                pending = new TaskCompletionSource<Collection?>(TaskCreationOptions.RunContinuationsAsynchronously);
                _opening[name] = pending;
                recoverHere = true;
            }
        }
        if (!recoverHere)
        {
            var result = pending.Task.GetAwaiter().GetResult();
            ThrowIfDisposed();
            return result;
        }
        Collection? collection;
        try
        {
            collection = Recover(name);
        }
        catch (Exception e)
        {
            lock (_gate)
                _opening.Remove(name);
            pending.SetException(e);
            throw;
        }
        lock (_gate)
        {
            _opening.Remove(name);
            if (collection is not null)
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    collection.Close(deleted: false);
                }
                else if (_open.TryGetValue(name, out var created))
                {
                    // Created meanwhile (CreateCollection does not wait for recoveries): that handle is the one in use.
                    collection.Close(deleted: false);
                    collection = created;
                }
                else
                {
                    _open[name] = collection;
                    PublishOpenLocked();
                }
            }
        }
        pending.SetResult(collection);
        ThrowIfDisposed();
        return collection;
    }

    /// <summary>Reads the collection's row and recovers its index; no lock of the client is held.</summary>
    private Collection? Recover(string name)
    {
        var found = Database.Run(() =>
        {
            using var connection = Database.OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT id, {CollectionRows.Columns()}, metadata, embedding_model FROM collections WHERE name = @n;";
            command.Parameters.AddWithValue("@n", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                return ((long, CollectionOptions, Dictionary<string, object>?, string?)?)null;
            var options = CollectionRows.Read(reader, 1);
            var metadata = reader.IsDBNull(7) ? null : MetadataValues.FromJson(reader.GetString(7));
            string? model = reader.IsDBNull(8) ? null : reader.GetString(8);
            return (reader.GetInt64(0), options, metadata, model);
        });
        if (found is not { } row)
            return null;
        return Database.Run(() => Collection.Open(this, row.Item1, name, row.Item2, row.Item3, row.Item4));
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private void PublishOpenLocked() => Volatile.Write(ref _openSnapshot, [.. _open.Values]);

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The caller that ran it reports its failure.
        }
    }

    private long? FindId(string name) => Database.Run(() =>
    {
        using var connection = Database.OpenReader();
        long id = StoreDatabase.Scalar<long>(connection, "SELECT COALESCE((SELECT id FROM collections WHERE name = @n), -1);", ("@n", name));
        return id < 0 ? (long?)null : id;
    });

    private void RemoveOrphanFolders()
    {
        var ids = new HashSet<long>();
        using (var connection = Database.OpenReader())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM collections;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                ids.Add(reader.GetInt64(0));
        }
        foreach (var (id, folder) in Layout.CollectionFolders())
        {
            if (!ids.Contains(id))
            {
                WriteLog($"removing {folder}: its collection was deleted");
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// One timer tick: checkpoints the collections that are due. It takes no lock another thread may hold for long
    /// (the open collections come from a snapshot, a busy collection is skipped until the next tick), so a tick never
    /// parks a pool thread, and it re-arms the timer only when done, so ticks never overlap.
    /// </summary>
    private void CheckpointTick()
    {
        lock (_tickRunning)
        {
            if (Volatile.Read(ref _disposed) != 0)
                return;
            foreach (var collection in Volatile.Read(ref _openSnapshot))
            {
                try
                {
                    collection.CheckpointIfDue(_checkpointInterval);
                }
                catch (Exception e) when (e is IOException or StoreException or SqliteException or ObjectDisposedException)
                {
                    WriteLog($"collection '{collection.Name}': timed checkpoint failed: {e.Message}");
                }
            }
            if (Volatile.Read(ref _disposed) != 0)
                return;
            try
            {
                _timer?.Change(_tickPeriod, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile: no more ticks.
            }
        }
    }

    private void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is < 1 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"{Path}: collection name '{name}' must be 1 to 128 characters of ASCII letters, digits, '_', '-' and '.'.", nameof(name));
    }

    private static void ValidateOptions(CollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The engine's own checks, so the limits are stated once: an index of the smallest size is cheap.
        using var probe = new HnswIndex(options.ToHnsw(0));
    }
}

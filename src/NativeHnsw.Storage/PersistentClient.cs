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
/// A client is thread-safe; collections are opened (and their index recovered) on first use and cached.
/// <see cref="OpenReadOnly"/> opens a store beside its writer (in this process or another) without the lock: a
/// read-only view fixed as of the open, which never writes to the store.
/// </remarks>
public sealed partial class PersistentClient : IDisposable
{
    private readonly StoreLock? _lock;
    private readonly Dictionary<string, Collection> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Timer? _timer;
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
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, interval.Ticks / 4));
            _timer = new Timer(_ => CheckpointDue(interval), null, period, period);
        }
    }

    private PersistentClient(string path, StoreOptions? options, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Options = options ?? new StoreOptions();
        if (Options.MaxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be −1 or positive.");
        IsReadOnly = readOnly;
        Layout = new StoreLayout(path);
        if (!Directory.Exists(Layout.Root) || !File.Exists(Layout.DatabaseFile))
            throw new StoreException($"{Layout.Root}: not a store (no store.db); a read-only open creates nothing.");
        Database = StoreDatabase.OpenReadOnly(Layout.DatabaseFile);
        try
        {
            // Every index is brought up now, while the checkpoints that match the database copy are most likely still
            // on disk (the writer keeps two); a collection opened later could only be rebuilt from the records.
            foreach (string name in ListCollections())
            {
                lock (_gate)
                    TryGetLocked(name);
            }
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

    /// <summary>The store folder, as a full path.</summary>
    public string Path => Layout.Root;

    /// <summary>Opened with <see cref="OpenReadOnly"/>: a view as of the open, and every write throws <see cref="StoreReadOnlyException"/>.</summary>
    public bool IsReadOnly { get; }

    public StoreOptions Options { get; }

    internal StoreLayout Layout { get; }

    internal StoreDatabase Database { get; }

    /// <summary>Creates a collection with fixed options.</summary>
    /// <exception cref="CollectionExistsException">A collection of that name exists.</exception>
    public Collection CreateCollection(string name, CollectionOptions options)
    {
        ValidateName(name);
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
                        return StoreDatabase.Scalar<long>(Database.Writer, """
                            INSERT INTO collections(name, dimensions, metric, m, ef_construction, default_ef, seed)
                            VALUES (@n, @d, @metric, @m, @efc, @ef, @seed) RETURNING id;
                            """,
                            ("@n", name), ("@d", options.Dimensions), ("@metric", (int)options.Metric), ("@m", options.M),
                            ("@efc", options.EfConstruction), ("@ef", options.DefaultEf), ("@seed", unchecked((long)options.Seed)));
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
            var collection = Collection.Open(this, id, name, options);
            _open[name] = collection;
            return collection;
        }
    }

    /// <summary>The collection of that name, opening it (and recovering its index) on first use.</summary>
    /// <exception cref="CollectionNotFoundException">There is none.</exception>
    public Collection GetCollection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            return TryGetLocked(name) ?? throw new CollectionNotFoundException(Path, name);
        }
    }

    /// <summary>The collection of that name, created with <paramref name="options"/> when there is none.</summary>
    /// <exception cref="CollectionExistsException">It exists with other dimensions, metric or HNSW parameters.</exception>
    public Collection GetOrCreateCollection(string name, CollectionOptions options)
    {
        ValidateName(name);
        ValidateOptions(options);
        lock (_gate)
        {
            ThrowIfDisposed();
            var existing = TryGetLocked(name);
            if (existing is null)
            {
                ThrowIfReadOnly($"creating collection '{name}'");
                return CreateCollection(name, options);
            }
            if (existing.Options != options)
                throw new CollectionExistsException(Path, name, $"exists with other options ({existing.Options}) than the ones asked for ({options}).");
            return existing;
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
        lock (_gate)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly($"deleting collection '{name}'");
            long? id = FindId(name);
            if (id is null)
                throw new CollectionNotFoundException(Path, name);
            if (_open.Remove(name, out var collection))
                collection.Close(deleted: true);
            Database.Run(() =>
            {
                lock (Database.WriterLock)
                {
                    using var transaction = Database.Writer.BeginTransaction(deferred: false);
                    foreach (string table in new[] { "metadata", "records", "changes" })
                        Database.Execute(transaction, $"DELETE FROM {table} WHERE collection = @c;", ("@c", id.Value));
                    Database.Execute(transaction, "DELETE FROM collections WHERE id = @c;", ("@c", id.Value));
                    transaction.Commit();
                }
            });
            // After the commit: a crash here leaves a folder without a collection, removed on the next open.
            string folder = Layout.CollectionFolder(id.Value);
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
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
            using var stopped = new ManualResetEvent(false);
            if (_timer.Dispose(stopped))
                stopped.WaitOne();
        }
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

    private Collection? TryGetLocked(string name)
    {
        if (_open.TryGetValue(name, out var collection))
            return collection;
        var found = Database.Run(() =>
        {
            using var connection = Database.OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, dimensions, metric, m, ef_construction, default_ef, seed FROM collections WHERE name = @n;";
            command.Parameters.AddWithValue("@n", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                return ((long, CollectionOptions)?)null;
            var options = new CollectionOptions
            {
                Dimensions = reader.GetInt32(1),
                Metric = (DistanceMetric)reader.GetInt32(2),
                M = reader.GetInt32(3),
                EfConstruction = reader.GetInt32(4),
                DefaultEf = reader.GetInt32(5),
                Seed = unchecked((ulong)reader.GetInt64(6)),
            };
            return (reader.GetInt64(0), options);
        });
        if (found is not { } row)
            return null;
        collection = Database.Run(() => Collection.Open(this, row.Item1, name, row.Item2));
        _open[name] = collection;
        return collection;
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

    private void CheckpointDue(TimeSpan interval)
    {
        Collection[] open;
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0)
                return;
            open = [.. _open.Values];
        }
        foreach (var collection in open)
        {
            try
            {
                collection.CheckpointIfDue(interval);
            }
            catch (Exception e) when (e is IOException or StoreException or SqliteException or ObjectDisposedException)
            {
                WriteLog($"collection '{collection.Name}': timed checkpoint failed: {e.Message}");
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

using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Distance;
using NativeHnsw.IO;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A named set of records (a unique string id, a vector, an optional document and optional metadata) with an HNSW
/// index over the vectors. Records live in SQLite; the index is derived from them, checkpointed to index files and
/// brought up to date on open by replaying the change log after the newest good checkpoint.
/// </summary>
/// <remarks>
/// Thread safety: any number of concurrent readers (get, count, peek, query) and one writer at a time per
/// collection (writers queue on a lock). A write is one SQLite transaction: once it returns it is durable at the
/// client's <see cref="Durability"/>, and readers never see part of a batch in the database. The index is updated
/// right after the commit, so a query running during a write may or may not see that write's vectors.
/// Each record's HNSW label is its row id in the records table, which is never reused.
/// </remarks>
public sealed partial class Collection
{
    /// <summary>With a filter that allows at most this many records, a query is answered exactly (brute force over them) instead of by the graph.</summary>
    public const int ExactSearchThreshold = 2_048;

    /// <summary>
    /// Beyond <see cref="ExactSearchThreshold"/>, a filtered query is still answered exactly while allowed records ×
    /// dimensions stays within this many components (16,384 records at 64 dimensions, 2,730 at 384): a scan of that
    /// much memory costs about what the widened graph walk does (measured at 100k × 64: a 10% filter took ~6 ms by the
    /// graph, ~1.5 ms exactly), and it has perfect recall.
    /// </summary>
    public const int ExactSearchComponents = 1 << 20;

    private readonly PersistentClient _client;
    private readonly long _id;
    private readonly Lock _writeLock = new();
    private HnswIndex _index = null!;
    private long _lastSequence;
    private long _checkpointSequence;
    private int _pendingChanges;
    private long _lastCheckpointTicks;
    private volatile bool _deleted;
    private volatile bool _indexBroken;

    /// <summary>Bumped after every commit that changes this collection's records; keys <see cref="_filterCache"/>.</summary>
    private long _dataVersion;
    private long _filteredGraphSearches;
    private readonly FilterCache _filterCache = new();

    private volatile string _name;
    private volatile IReadOnlyDictionary<string, object>? _metadata;

    /// <summary>The generator that embeds documents and query texts; attached by the client once its identity matched the stored one.</summary>
    private volatile Embedder? _embedder;

    /// <summary>Set when the collection was re-embedded: this handle's index is gone, a new handle serves it.</summary>
    private volatile bool _replaced;

    private Collection(PersistentClient client, long id, string name, CollectionOptions options, IReadOnlyDictionary<string, object>? metadata, string? embeddingModel)
    {
        _client = client;
        _id = id;
        _name = name;
        _metadata = metadata;
        Options = options;
        EmbeddingIdentity = embeddingModel is null ? null : new EmbeddingIdentity(embeddingModel, options.Dimensions);
    }

    /// <summary>The identity of the embedding generator the collection's vectors come from, stored with it; null when the caller gives the vectors.</summary>
    public EmbeddingIdentity? EmbeddingIdentity { get; }

    /// <summary>Whether this handle embeds documents and query texts (it was created or opened with an embedding generator).</summary>
    public bool HasEmbeddingGenerator => _embedder is not null;

    /// <summary>The collection's name (changed by <see cref="Modify"/>).</summary>
    public string Name => _name;

    /// <summary>
    /// The collection's own metadata, as given at creation or by <see cref="Modify"/> (null when none); Chroma's
    /// <c>hnsw:</c> keys are not kept here but in <see cref="Options"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object>? Metadata => _metadata;

    /// <summary>
    /// Renames the collection (when <paramref name="name"/> is given) and replaces its metadata (when
    /// <paramref name="metadata"/> is given; an empty map removes it), in one transaction, as Chroma's modify does.
    /// </summary>
    /// <exception cref="CollectionExistsException">Another collection has that name.</exception>
    /// <exception cref="ArgumentException">A bad name or metadata, or an <c>hnsw:</c> key (options are fixed at creation).</exception>
    public void Modify(string? name = null, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ThrowIfGone();
        _client.ModifyCollection(this, name, metadata);
    }

    internal void Renamed(string name, IReadOnlyDictionary<string, object>? metadata, bool setMetadata)
    {
        _name = name;
        if (setMetadata)
            _metadata = metadata;
    }

    public CollectionOptions Options { get; }

    /// <summary>How the index was brought up when the collection was opened.</summary>
    public RecoveryInfo Recovery { get; private set; } = null!;

    /// <summary>Changes not yet in a checkpoint.</summary>
    public int PendingChanges => Volatile.Read(ref _pendingChanges);

    internal long Id => _id;

    internal HnswIndex Index => _index;

    internal long LastSequence => Volatile.Read(ref _lastSequence);

    internal long CheckpointSequence => Volatile.Read(ref _checkpointSequence);

    private StoreDatabase Db => _client.Database;

    private StoreLayout Layout => _client.Layout;

    /// <summary>Saves the index to a new checkpoint now (when it has changes since the last one), and prunes older checkpoints and the change log.</summary>
    public void Checkpoint()
    {
        lock (_writeLock)
        {
            ThrowIfGone();
            _client.ThrowIfReadOnly($"a checkpoint of collection '{Name}'");
            CheckpointLocked();
        }
    }

    internal static Collection Open(PersistentClient client, long id, string name, CollectionOptions options, IReadOnlyDictionary<string, object>? metadata, string? embeddingModel)
    {
        var collection = new Collection(client, id, name, options, metadata, embeddingModel);
        collection.Recover();
        return collection;
    }

    /// <summary>
    /// Checkpoints when the time policy says so; called from the client's timer, on a pool thread, which must never
    /// wait: a collection whose write lock is held (a write or checkpoint under way) is skipped until the next tick.
    /// </summary>
    internal void CheckpointIfDue(TimeSpan interval)
    {
        if (_deleted || _replaced || Volatile.Read(ref _pendingChanges) == 0)
            return;
        if (_client.Time.GetElapsedTime(Volatile.Read(ref _lastCheckpointTicks)) < interval)
            return;
        if (!_writeLock.TryEnter())
            return;
        try
        {
            if (!_deleted && !_replaced && !_indexBroken && _pendingChanges > 0)
                CheckpointLocked();
        }
        finally
        {
            _writeLock.Exit();
        }
    }

    /// <summary>Called by the client on dispose (after its last checkpoint), on delete and on a re-embed: releases the index.</summary>
    internal void Close(bool deleted, bool replaced = false)
    {
        lock (_writeLock)
        {
            _deleted |= deleted;
            _replaced |= replaced;
            _index?.Dispose();
        }
    }

    /// <summary>Dispose-time checkpoint, under the collection's own lock.</summary>
    internal void CheckpointOnDispose()
    {
        lock (_writeLock)
        {
            if (!_deleted && !_replaced && !_indexBroken && _pendingChanges > 0)
                CheckpointLocked();
        }
    }

    /// <summary>
    /// Compares the index with the database: the same live labels (row ids) and, for each, the same vector
    /// (normalised under cosine). Returns the differences found, empty when they agree. For tests and tools.
    /// </summary>
    internal IReadOnlyList<string> CheckIndexAgreesWithDatabase()
    {
        var problems = new List<string>();
        var index = _index;
        int dims = Options.Dimensions;
        var stored = new float[dims];
        int rows = 0;
        using (var reader = Db.OpenReader())
        using (var command = reader.CreateCommand())
        {
            command.CommandText = "SELECT row_id, id, vector FROM records WHERE collection = @c ORDER BY row_id;";
            command.Parameters.AddWithValue("@c", _id);
            using var rowsReader = command.ExecuteReader();
            while (rowsReader.Read())
            {
                rows++;
                long row = rowsReader.GetInt64(0);
                string id = rowsReader.GetString(1);
                var vector = VectorBlob.ToVector((byte[])rowsReader[2], dims, $"record '{id}'");
                if (!index.Contains(row))
                {
                    problems.Add($"record '{id}' (row {row}) is in the database but not in the index");
                    continue;
                }
                index.GetVector(row, stored);
                var expected = Prepared(vector);
                for (int i = 0; i < dims; i++)
                {
                    if (Math.Abs(expected[i] - stored[i]) > 1e-5f * Math.Max(1f, Math.Abs(expected[i])))
                    {
                        problems.Add($"record '{id}' (row {row}): component {i} is {stored[i]} in the index, {expected[i]} in the database");
                        break;
                    }
                }
            }
        }
        if (index.Count != rows)
            problems.Add($"the index holds {index.Count} live labels, the database {rows} records");
        return problems;
    }

    private void Recover()
    {
        var clock = Stopwatch.StartNew();
        bool readOnly = _client.IsReadOnly;
        if (!readOnly)
        {
            Directory.CreateDirectory(Layout.CollectionFolder(_id));
            foreach (string abandoned in Layout.AbandonedTemporaryFiles(_id))
                FileCleanup.TryDeleteFile(abandoned);
        }

        using var reader = Db.OpenReader();
        long highestSequence = ContentQueries.Sequence(reader, null);
        long collectionSequence = StoreDatabase.Scalar<long>(reader, $"SELECT COALESCE(MAX(seq), 0) FROM changes WHERE collection = @c AND {ShipLog.IsChange};", ("@c", _id));

        HnswIndex? index = null;
        long sequence = 0;
        string? used = null;
        var damaged = new List<string>();
        var checkpoints = Layout.Checkpoints(_id);
        for (int i = 0; i < checkpoints.Count && index is null; i++)
        {
            var (candidateSequence, path) = checkpoints[i];
            string? problem = null;
            if (readOnly && candidateSequence > highestSequence)
            {
                // Written by the writer after this client's copy of the database: expected, and not damage.
                continue;
            }
            if (candidateSequence > highestSequence)
            {
                problem = string.Create(CultureInfo.InvariantCulture,
                    $"it includes changes up to {candidateSequence}, but the database's last change is {highestSequence} (was the database restored from an older copy?)");
            }
            else
            {
                try
                {
                    _client.Options.BeforeCheckpointLoad?.Invoke(path);
                    var loaded = HnswIndex.Load(path);
                    if (loaded.Dimensions != Options.Dimensions || loaded.Metric != Options.Metric)
                    {
                        problem = $"it holds a {loaded.Dimensions}-dimension {loaded.Metric} index, the collection is {Options.Dimensions}-dimension {Options.Metric}";
                        loaded.Dispose();
                    }
                    else
                    {
                        index = loaded;
                        sequence = candidateSequence;
                        used = path;
                    }
                }
                catch (IOException e)
                {
                    if (readOnly && !File.Exists(path))
                    {
                        // The writer pruned it after it was listed (two newer checkpoints exist): the older one, or a
                        // rebuild, matches this client's copy of the database just as well.
                        _client.WriteLog($"collection '{Name}': checkpoint {path} was removed by the writer while opening read-only; falling back");
                        continue;
                    }
                    problem = e.Message;
                }
            }
            if (problem is not null)
            {
                string next = i + 1 < checkpoints.Count ? checkpoints[i + 1].Path : "a rebuild from the database";
                damaged.Add($"{path}: {problem}");
                _client.WriteLog($"collection '{Name}': checkpoint {path} damaged: {problem}; falling back to {next}");
            }
        }

        int replayed;
        if (index is null)
        {
            long count = StoreDatabase.Scalar<long>(reader, "SELECT COUNT(*) FROM records WHERE collection = @c;", ("@c", _id));
            index = new HnswIndex(Options.ToHnsw((int)Math.Min(count + 16, HnswIndex.MaxNodes)));
            replayed = Rebuild(reader, index);
            // A rebuild holds the whole database, so it includes every change there is.
            sequence = 0;
            _lastSequence = highestSequence;
            if (checkpoints.Count > 0 || replayed > 0)
                _client.WriteLog($"collection '{Name}': index rebuilt from the database ({replayed} records)");
        }
        else
        {
            replayed = Replay(reader, index, sequence);
            _lastSequence = Math.Max(sequence, collectionSequence);
        }
        _index = index;
        _checkpointSequence = sequence;
        _pendingChanges = replayed;
        _lastCheckpointTicks = _client.Time.GetTimestamp();
        int threshold = _client.Options.Checkpoints.AfterReplayOf;
        if (!readOnly && threshold > 0 && replayed >= threshold)
            CheckpointLocked();
        Recovery = new RecoveryInfo(used, sequence, replayed, damaged, clock.Elapsed);
    }

    private int Rebuild(Microsoft.Data.Sqlite.SqliteConnection reader, HnswIndex index)
    {
        using var command = reader.CreateCommand();
        command.CommandText = "SELECT row_id, vector FROM records WHERE collection = @c ORDER BY row_id;";
        command.Parameters.AddWithValue("@c", _id);
        using var rows = command.ExecuteReader();
        return AddInChunks(index, ReadRows(rows));
    }

    private int Replay(Microsoft.Data.Sqlite.SqliteConnection reader, HnswIndex index, long afterSequence)
    {
        using var command = reader.CreateCommand();
        // Replay is idempotent: each changed record is brought to its state in the database now, so it does not
        // matter which changes the checkpoint already held or in what order they happened.
        command.CommandText = $"""
            SELECT c.record, r.vector FROM (SELECT DISTINCT record FROM changes WHERE collection = @c AND seq > @s AND {ShipLog.IsChange}) c
            LEFT JOIN records r ON r.row_id = c.record ORDER BY c.record;
            """;
        command.Parameters.AddWithValue("@c", _id);
        command.Parameters.AddWithValue("@s", afterSequence);
        using var rows = command.ExecuteReader();
        int deleted = 0;
        var live = new List<(long, byte[]?)>();
        foreach (var (row, blob) in ReadRows(rows))
        {
            if (blob is null)
            {
                if (index.Contains(row))
                    index.MarkDeleted(row);
                deleted++;
            }
            else
            {
                live.Add((row, blob));
            }
        }
        return deleted + AddInChunks(index, live);
    }

    private static IEnumerable<(long Row, byte[]? Blob)> ReadRows(Microsoft.Data.Sqlite.SqliteDataReader rows)
    {
        while (rows.Read())
            yield return (rows.GetInt64(0), rows.IsDBNull(1) ? null : (byte[])rows[1]);
    }

    private int AddInChunks(HnswIndex index, IEnumerable<(long Row, byte[]? Blob)> rows)
    {
        const int Chunk = 4_096;
        int dims = Options.Dimensions;
        var labels = new long[Chunk];
        var vectors = new float[Chunk * dims];
        int n = 0, total = 0;
        foreach (var (row, blob) in rows)
        {
            if (blob is null)
                continue;
            if (blob.Length != dims * sizeof(float))
                throw new StoreCorruptException(Db.Path, $"collection '{Name}', row {row}: the stored vector has {blob.Length} bytes, expected {dims * sizeof(float)}");
            labels[n] = row;
            VectorBlob.CopyTo(blob, vectors.AsSpan(n * dims, dims));
            if (++n == Chunk)
            {
                index.AddRange(labels, vectors, _client.Options.MaxDegreeOfParallelism);
                total += n;
                n = 0;
            }
        }
        if (n > 0)
            index.AddRange(labels.AsMemory(0, n), vectors.AsMemory(0, n * dims), _client.Options.MaxDegreeOfParallelism);
        return total + n;
    }

    /// <summary>Caller holds the write lock.</summary>
    private void CheckpointLocked()
    {
        long sequence = _lastSequence;
        var existing = Layout.Checkpoints(_id);
        if (_pendingChanges == 0 && existing.Count > 0 && existing[0].Sequence == sequence)
            return;
        string path = Layout.CheckpointFile(_id, sequence);
        _index.Save(path);
        var checkpoints = Layout.Checkpoints(_id);
        // Two are kept: a damaged newest one falls back to the previous one plus the changes after it.
        for (int i = 2; i < checkpoints.Count; i++)
            FileCleanup.TryDeleteFile(checkpoints[i].Path);
        // With one checkpoint, a damaged one falls back to a rebuild from the records, which needs no log.
        long keepAfter = checkpoints.Count >= 2 ? checkpoints[1].Sequence : sequence;
        Db.Run(() =>
        {
            lock (Db.WriterLock)
            {
                // The floor is recorded with the prune so that a read-only snapshot knows, from its copy of the
                // database alone, which checkpoints that copy's log can still bring forward.
                using var transaction = Db.Writer.BeginTransaction(deferred: false);
                Db.Execute(transaction, $"DELETE FROM changes WHERE collection = @c AND seq <= @s AND {ShipLog.IsChange};", ("@c", _id), ("@s", keepAfter));
                Db.Execute(transaction, "INSERT INTO store_info(key, value) VALUES (@k, @v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
                    ("@k", StoreDatabase.LogFloorKey(_id)), ("@v", keepAfter.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                transaction.Commit();
            }
        });
        Volatile.Write(ref _checkpointSequence, sequence);
        Volatile.Write(ref _pendingChanges, 0);
        Volatile.Write(ref _lastCheckpointTicks, _client.Time.GetTimestamp());
    }

    private void ThrowIfGone()
    {
        _client.ThrowIfDisposed();
        if (_deleted)
            throw new CollectionNotFoundException(_client.Layout.Root, Name);
        if (_replaced)
            throw new StoreException($"{_client.Layout.Root}: collection '{Name}' was re-embedded with another embedding generator; get it again from the client (this handle's vectors are gone).");
        if (_indexBroken)
            throw new StoreException($"{_client.Layout.Root}: collection '{Name}': an earlier index update failed after its commit; dispose the client and reopen the store to rebuild the index from the database.");
    }

    private float[] Prepared(ReadOnlySpan<float> vector)
    {
        var copy = new float[vector.Length];
        VectorValidation.Prepare(vector, Options.Metric, copy);
        return copy;
    }
}

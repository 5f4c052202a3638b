using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A store's content read in place, inside one SQLite read transaction on the store's database, from
/// <see cref="PersistentClient.OpenReadView"/>: every read sees the store as of one change sequence (WAL isolation),
/// while writers go on, and no file is copied. What an incremental backup needs, which diffs records and copies no
/// file; a full backup needs a <see cref="StoreSnapshot"/> (the files themselves). Dispose it soon: while it is open
/// the writer's WAL cannot be checkpointed past it. Not thread-safe; read one collection's records at a time.
/// </summary>
public sealed class StoreReadView : IStoreContent, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly string _databaseFile;
    private bool _disposed;

    /// <summary>Takes over <paramref name="connection"/> (open), begins the read transaction and reads the collections.</summary>
    internal StoreReadView(SqliteConnection connection, string databaseFile, int sampleIds)
    {
        _connection = connection;
        _databaseFile = databaseFile;
        SqliteTransaction? transaction = null;
        try
        {
            // Deferred: the first SELECT starts the read transaction, and every later one reads the same snapshot.
            transaction = connection.BeginTransaction(deferred: true);
            Sequence = ContentQueries.Sequence(connection, transaction);
            Collections = ContentQueries.Collections(connection, transaction, sampleIds);
        }
        catch
        {
            transaction?.Dispose();
            connection.Dispose();
            throw;
        }
        _transaction = transaction;
    }

    public long Sequence { get; }

    public IReadOnlyList<CollectionSnapshot> Collections { get; }

    public IReadOnlyDictionary<string, object>? ReadCollectionMetadata(CollectionSnapshot collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ContentQueries.CollectionMetadata(_connection, _transaction, collection);
    }

    public IEnumerable<StoredRecord> ReadRecords(CollectionSnapshot collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ContentQueries.Records(_connection, _transaction, collection, _databaseFile);
    }

    /// <summary>Ends the read transaction (nothing was written) and closes the connection.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _transaction.Dispose();
        _connection.Dispose();
    }
}

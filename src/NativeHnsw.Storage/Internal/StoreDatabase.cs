using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The SQLite side of a store: schema, version check, one writer connection (SQLite has one writer per
/// database anyway) and pooled reader connections, which WAL mode lets run beside the writer.
/// </summary>
/// <remarks>
/// Schema (format version 2):
/// <code>
/// store_info(key TEXT PRIMARY KEY, value TEXT)       format_version
/// collections(id INTEGER PRIMARY KEY AUTOINCREMENT, name UNIQUE, dimensions, metric, m, ef_construction, default_ef, seed)
/// records(row_id INTEGER PRIMARY KEY AUTOINCREMENT, collection, id TEXT, vector BLOB (float32 LE), document TEXT, metadata TEXT (JSON), UNIQUE(collection, id))
/// changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, collection, op (1 upsert, 2 delete), record (a row_id))
/// metadata(record, key, collection, kind (0 string, 1 number, 2 bool), value (no affinity), PRIMARY KEY(record, key)) WITHOUT ROWID
///   + INDEX metadata_by_value(collection, key, kind, value)                       (version 2; see MetadataRows)
/// </code>
/// Version 1 had no metadata table; opening a version-1 store for writing migrates it in one transaction (the
/// table is derived from records.metadata, so the migration is a single INSERT … SELECT over json_each).
/// AUTOINCREMENT keeps row ids and sequence numbers from ever being reused, so a row id is a stable HNSW label
/// and a checkpoint's sequence number means the same changes forever.
/// </remarks>
internal sealed class StoreDatabase : IDisposable
{
    public const int FormatVersion = 2;

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly string _readerConnectionString;
    private readonly SqliteConnection _writer;

    private StoreDatabase(string path, Durability durability)
    {
        Path = path;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        _writer = new SqliteConnection(builder.ToString());
        builder.Pooling = true;
        builder.Mode = SqliteOpenMode.ReadOnly;
        _readerConnectionString = builder.ToString();
        try
        {
            _writer.Open();
            Execute("PRAGMA journal_mode=WAL;");
            Execute(durability == Durability.Strict ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            CreateOrCheckSchema();
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Serialises use of <see cref="Writer"/>; always taken after a collection's own write lock, never before.</summary>
    public Lock WriterLock { get; } = new();

    public SqliteConnection Writer => _writer;

    public static StoreDatabase Open(string path, Durability durability)
    {
        try
        {
            return new StoreDatabase(path, durability);
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw new StoreCorruptException(path, e.Message, e);
        }
    }

    /// <summary>A pooled read-only connection; dispose it when done.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_readerConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The value of the <c>synchronous</c> pragma on the writer: 1 NORMAL, 2 FULL.</summary>
    public long SynchronousLevel
    {
        get
        {
            lock (WriterLock)
                return Scalar<long>(_writer, "PRAGMA synchronous;");
        }
    }

    /// <summary>Runs <paramref name="body"/>, turning SQLite's "damaged" errors into <see cref="StoreCorruptException"/>.</summary>
    public T Run<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw new StoreCorruptException(Path, e.Message, e);
        }
    }

    public void Run(Action body) => Run(() =>
    {
        body();
        return 0;
    });

    public static bool IsCorruption(SqliteException e) => e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    public static T Scalar<T>(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Scalar<T>(connection, null, sql, parameters);

    public static T Scalar<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        object? result = command.ExecuteScalar();
        return result is null or DBNull ? default! : (T)Convert.ChangeType(result, typeof(T), CultureInfo.InvariantCulture);
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters) => Execute(null, sql, parameters);

    public int Execute(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // Readers first: the last connection to close checkpoints and removes the WAL, which a read-only one cannot.
        using (var pooled = new SqliteConnection(_readerConnectionString))
            SqliteConnection.ClearPool(pooled);
        _writer.Dispose();
    }

    private void CreateOrCheckSchema()
    {
        bool hasInfo = Scalar<long>(_writer, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='store_info';") > 0;
        if (hasInfo)
        {
            string? text = Scalar<string>(_writer, "SELECT value FROM store_info WHERE key='format_version';");
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                throw new StoreCorruptException(Path, $"store_info.format_version is '{text}', not a version number");
            if (version > FormatVersion)
                throw new StoreVersionException(System.IO.Path.GetDirectoryName(Path)!, version, FormatVersion);
            if (version == 1)
                MigrateFromVersion1();
            return;
        }
        long tables = Scalar<long>(_writer, "SELECT COUNT(*) FROM sqlite_master WHERE type='table';");
        if (tables > 0)
            throw new StoreException($"{Path}: a SQLite database that is not a NativeHnsw store (it has tables but no store_info).");
        using var transaction = _writer.BeginTransaction(deferred: false);
        Execute(transaction, """
            CREATE TABLE store_info(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE collections(
                id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
                dimensions INTEGER NOT NULL, metric INTEGER NOT NULL, m INTEGER NOT NULL,
                ef_construction INTEGER NOT NULL, default_ef INTEGER NOT NULL, seed INTEGER NOT NULL);
            CREATE TABLE records(
                row_id INTEGER PRIMARY KEY AUTOINCREMENT, collection INTEGER NOT NULL, id TEXT NOT NULL,
                vector BLOB NOT NULL, document TEXT, metadata TEXT, UNIQUE(collection, id));
            CREATE TABLE changes(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, collection INTEGER NOT NULL, op INTEGER NOT NULL, record INTEGER NOT NULL);
            CREATE INDEX changes_by_collection ON changes(collection, seq);
            """);
        CreateMetadataTable(transaction);
        Execute(transaction, "INSERT INTO store_info(key, value) VALUES ('format_version', @v);", ("@v", FormatVersion.ToString(CultureInfo.InvariantCulture)));
        transaction.Commit();
    }

    private void CreateMetadataTable(SqliteTransaction transaction) => Execute(transaction, """
        CREATE TABLE metadata(
            record INTEGER NOT NULL, key TEXT NOT NULL, collection INTEGER NOT NULL, kind INTEGER NOT NULL, value NOT NULL,
            PRIMARY KEY(record, key)) WITHOUT ROWID;
        CREATE INDEX metadata_by_value ON metadata(collection, key, kind, value);
        """);

    private void MigrateFromVersion1()
    {
        using var transaction = _writer.BeginTransaction(deferred: false);
        CreateMetadataTable(transaction);
        // json_each gives 'true'/'false' rows the values 1/0, which is how MetadataRows stores bools.
        Execute(transaction, """
            INSERT INTO metadata(record, key, collection, kind, value)
            SELECT r.row_id, j.key, r.collection,
                   CASE j.type WHEN 'text' THEN 0 WHEN 'integer' THEN 1 WHEN 'real' THEN 1 ELSE 2 END, j.value
            FROM records r, json_each(r.metadata) j WHERE r.metadata IS NOT NULL;
            """);
        Execute(transaction, "UPDATE store_info SET value = @v WHERE key = 'format_version';", ("@v", FormatVersion.ToString(CultureInfo.InvariantCulture)));
        transaction.Commit();
    }
}

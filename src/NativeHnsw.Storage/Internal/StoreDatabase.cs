using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The SQLite side of a store: schema, version check, one writer connection (SQLite has one writer per
/// database anyway) and pooled reader connections, which WAL mode lets run beside the writer.
/// </summary>
/// <remarks>
/// Schema (format version 5):
/// <code>
/// store_info(key TEXT PRIMARY KEY, value TEXT)       format_version
/// collections(id INTEGER PRIMARY KEY AUTOINCREMENT, name UNIQUE, dimensions, metric, m, ef_construction, default_ef, seed, metadata TEXT (JSON; version 3),
///             embedding_model TEXT (the embedding generator's model id, null without one; version 4))
/// records(row_id INTEGER PRIMARY KEY AUTOINCREMENT, collection, id TEXT, vector BLOB (float32 LE), document TEXT, metadata TEXT (JSON), UNIQUE(collection, id))
/// changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, collection, op (1 upsert, 2 delete), record (a row_id),
///         ship_seq, at, body (null, but in a shipping log entry: op 3, record 0; version 5, see ShipLog)) + INDEX changes_by_collection(collection, seq) WHERE ship_seq IS NULL
/// metadata(record, key, collection, kind (0 string, 1 number, 2 bool), value (no affinity), PRIMARY KEY(record, key)) WITHOUT ROWID
///   + INDEX metadata_by_value(collection, key, kind, value)                       (version 2; see MetadataRows)
/// documents_fts: FTS5(document; content=records, trigram case_sensitive 1) + triggers on records (version 3)
/// </code>
/// Version 4 kept the shipping log in a table of its own, ship_log(seq AUTOINCREMENT, at, body); opening it for writing
/// adds the three columns to changes and moves the log's rows into it as entries, in one transaction.
/// Version 3 had no embedding_model column; opening it for writing adds it (null: no generator).
/// Version 2 had no document index; opening it for writing adds the table and triggers and fills the index with FTS5's
/// 'rebuild' in one transaction (version 1 migrates through 2).
/// Version 1 had no metadata table; opening a version-1 store for writing migrates it in one transaction (the
/// table is derived from records.metadata, so the migration is a single INSERT … SELECT over json_each).
/// AUTOINCREMENT keeps row ids and sequence numbers from ever being reused, so a row id is a stable HNSW label
/// and a checkpoint's sequence number means the same changes forever.
/// </remarks>
internal sealed class StoreDatabase : IDisposable
{
    public const int FormatVersion = 5;

    /// <summary>
    /// The <c>store_info</c> key under which a collection's log floor is kept: the change log holds every change of that
    /// collection after this sequence (written with each prune; absent in stores last checkpointed by an older build).
    /// </summary>
    public static string LogFloorKey(long collectionId) => "log_floor:" + collectionId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The SQL function <c>nh_regexp(pattern, text)</c> behind <c>$regex</c>, registered on every connection.</summary>
    public const string RegexFunction = "nh_regexp";

    /// <summary>How a <c>$regex</c> time-out message starts, so <see cref="Run{T}"/> can tell it from other SQLite errors.</summary>
    private const string RegexTimeoutMarker = "$regex '";

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly string _readerConnectionString;
    private readonly SqliteConnection? _writer;
    private ShipLog.WriterState? _shipWriter;
    private WriteStatements? _writes;

    /// <summary>Read-only mode: how to reach the file itself, and the connection that keeps the in-memory copy alive (null until made, under <see cref="_copyGate"/>).</summary>
    private readonly string? _sourceConnectionString;
    private readonly Lock _copyGate = new();
    private SqliteConnection? _memoryKeeper;
    private bool _disposed;

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
            RegisterFunctions(_writer);
            Execute("PRAGMA journal_mode=WAL;");
            // SQLite's own busy handler (sleeps of 1, 2, 5, ... ms) instead of Microsoft.Data.Sqlite's retry, which
            // sleeps 150 ms: a change shipper's short write (its watermark) must not stall a commit that long.
            Execute("PRAGMA busy_timeout=30000;");
            Execute(durability == Durability.Strict ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            CreateOrCheckSchema();
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Read-only mode: checks the schema through a <c>Mode=ReadOnly</c> connection to the file, then copies the database
    /// file, through SQLite's online backup from such a connection (one read transaction, so one consistent change
    /// sequence; a writer in another process goes on), into a private in-memory database that every
    /// <see cref="OpenReader"/> connection then reads: the client's view is fixed as of the copy, and nothing holds a read
    /// transaction on the file (which would stop the writer's WAL from being checkpointed). With
    /// <paramref name="copyNow"/> false the copy is made on the first <see cref="OpenReader"/> instead: a client opened
    /// only to snapshot the store reads the file itself (<see cref="OpenSource"/>) and never needs it.
    /// </summary>
    private StoreDatabase(string path, bool copyNow)
    {
        Path = path;
        IsReadOnly = true;
        _sourceConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = "nhnsw-readonly-" + Guid.NewGuid().ToString("N"),
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
            Pooling = true,
        }.ToString();
        using var source = OpenSource();
        CheckSchemaReadOnly(source);
        if (copyNow)
            CopyIntoMemory(source);
    }

    /// <summary>Makes the in-memory copy from <paramref name="source"/>, once; a reader waits for a copy under way.</summary>
    private void CopyIntoMemory(SqliteConnection source)
    {
        lock (_copyGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_memoryKeeper is not null)
                return;
            var keeper = new SqliteConnection(_readerConnectionString);
            try
            {
                keeper.Open();
                source.BackupDatabase(keeper);
                // Re-checked on the copy: the writer may have migrated (or been replaced) since the check at open.
                CheckSchemaReadOnly(keeper);
            }
            catch
            {
                keeper.Dispose();
                throw;
            }
            _memoryKeeper = keeper;
        }
    }

    public string Path { get; }

    /// <summary>Opened by <see cref="OpenReadOnly"/>: there is no writer connection.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Serialises use of <see cref="Writer"/>; always taken after a collection's own write lock, never before.</summary>
    public Lock WriterLock { get; } = new();

    public SqliteConnection Writer => _writer ?? throw new InvalidOperationException($"{Path}: opened read-only; there is no writer connection.");

    /// <summary>The shipping log's statements on <see cref="Writer"/> (<see cref="ShipLog.Begin"/>), made at the first commit that asks; use under <see cref="WriterLock"/>.</summary>
    public ShipLog.WriterState ShipWriter => _shipWriter ??= new ShipLog.WriterState(Writer);

    /// <summary>The record commits' statements on <see cref="Writer"/>, prepared once; use under <see cref="WriterLock"/>.</summary>
    public WriteStatements Writes => _writes ??= new WriteStatements(Writer);

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

    /// <summary>Opens the store's database read-only (no writer connection, no schema change, no migration); see the read-only constructor.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="copyNow">Copy the database into memory now (the view is as of the open); false: on the first <see cref="OpenReader"/>.</param>
    public static StoreDatabase OpenReadOnly(string path, bool copyNow = true)
    {
        try
        {
            return new StoreDatabase(path, copyNow);
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw new StoreCorruptException(path, e.Message, e);
        }
    }

    /// <summary>
    /// A new, unpooled <c>Mode=ReadOnly</c> connection to the database file itself (not the client's copy), for an
    /// online backup of the store as it is now; dispose it when done.
    /// </summary>
    public SqliteConnection OpenSource()
    {
        var connection = new SqliteConnection(_sourceConnectionString ?? _readerConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A pooled read-only connection (in read-only mode, to the in-memory copy, made now if it was not yet); dispose it when done.</summary>
    public SqliteConnection OpenReader()
    {
        if (IsReadOnly && Volatile.Read(ref _memoryKeeper) is null)
            CopyIntoMemoryNow();
        var connection = new SqliteConnection(_readerConnectionString);
        connection.Open();
        RegisterFunctions(connection);
        return connection;
    }

    private void CopyIntoMemoryNow()
    {
        try
        {
            using var source = OpenSource();
            CopyIntoMemory(source);
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw new StoreCorruptException(Path, e.Message, e);
        }
    }

    /// <summary>
    /// <c>nh_regexp(pattern, text)</c>: .NET's regular expressions (culture-invariant, with the static cache of parsed
    /// patterns) with a time limit per call, so a pathological pattern fails the statement instead of hanging it.
    /// </summary>
    private static void RegisterFunctions(SqliteConnection connection) =>
        connection.CreateFunction<string, string?, bool>(RegexFunction, static (pattern, text) =>
        {
            if (text is null)
                return false;
            try
            {
                return System.Text.RegularExpressions.Regex.IsMatch(text, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, Where.RegexTimeout);
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{RegexTimeoutMarker}{pattern}' ran longer than {Where.RegexTimeout.TotalSeconds} s on a document of {text.Length} characters; simplify the pattern"));
            }
        }, isDeterministic: true);

    /// <summary>The value of the <c>synchronous</c> pragma on the writer: 1 NORMAL, 2 FULL.</summary>
    public long SynchronousLevel
    {
        get
        {
            lock (WriterLock)
                return Scalar<long>(Writer, "PRAGMA synchronous;");
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
        catch (SqliteException e) when (e.Message.Contains(RegexTimeoutMarker, StringComparison.Ordinal))
        {
            // A $regex past its time limit inside nh_regexp: SQLite passes on only the message; report it as a store error.
            int first = e.Message.IndexOf(RegexTimeoutMarker, StringComparison.Ordinal);
            int last = e.Message.LastIndexOf('\'');
            string problem = last > first ? e.Message[first..last] : e.Message[first..];
            throw new StoreException($"{System.IO.Path.GetDirectoryName(Path)}: {problem}", e);
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
        using var command = Writer.CreateCommand();
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
        // Before the writer: a statement left unfinalized would keep the connection open past its close (SQLite's
        // close_v2), and the WAL with it.
        _shipWriter?.Dispose();
        _writes?.Dispose();
        _writer?.Dispose();
        // The last connection to a shared in-memory database frees it.
        lock (_copyGate)
        {
            _disposed = true;
            _memoryKeeper?.Dispose();
            _memoryKeeper = null;
        }
    }

    private void CheckSchemaReadOnly(SqliteConnection connection)
    {
        string folder = System.IO.Path.GetDirectoryName(Path)!;
        bool hasInfo = Scalar<long>(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='store_info';") > 0;
        if (!hasInfo)
            throw new StoreException($"{Path}: not a NativeHnsw store database (it has no store_info table); a read-only open creates nothing.");
        string? text = Scalar<string>(connection, "SELECT value FROM store_info WHERE key='format_version';");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw new StoreCorruptException(Path, $"store_info.format_version is '{text}', not a version number");
        if (version > FormatVersion)
            throw new StoreVersionException(folder, version, FormatVersion);
        if (version < FormatVersion)
        {
            throw new StoreException(string.Create(CultureInfo.InvariantCulture,
                $"{folder}: store format version {version} needs a migration to version {FormatVersion}, which a read-only open cannot do; open the store once for writing (new PersistentClient) to migrate it."));
        }
    }

    private void CreateOrCheckSchema()
    {
        bool hasInfo = Scalar<long>(Writer, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='store_info';") > 0;
        if (hasInfo)
        {
            string? text = Scalar<string>(Writer, "SELECT value FROM store_info WHERE key='format_version';");
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                throw new StoreCorruptException(Path, $"store_info.format_version is '{text}', not a version number");
            if (version > FormatVersion)
                throw new StoreVersionException(System.IO.Path.GetDirectoryName(Path)!, version, FormatVersion);
            if (version == 1)
                MigrateFromVersion1();
            if (version <= 2)
                MigrateFromVersion2();
            if (version <= 3)
                MigrateFromVersion3();
            if (version <= 4)
                MigrateFromVersion4();
            KeepEntriesOutOfTheChangeIndex();
            return;
        }
        long tables = Scalar<long>(Writer, "SELECT COUNT(*) FROM sqlite_master WHERE type='table';");
        if (tables > 0)
            throw new StoreException($"{Path}: a SQLite database that is not a NativeHnsw store (it has tables but no store_info).");
        using var transaction = Writer.BeginTransaction(deferred: false);
        Execute(transaction, """
            CREATE TABLE store_info(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE collections(
                id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
                dimensions INTEGER NOT NULL, metric INTEGER NOT NULL, m INTEGER NOT NULL,
                ef_construction INTEGER NOT NULL, default_ef INTEGER NOT NULL, seed INTEGER NOT NULL, metadata TEXT, embedding_model TEXT);
            CREATE TABLE records(
                row_id INTEGER PRIMARY KEY AUTOINCREMENT, collection INTEGER NOT NULL, id TEXT NOT NULL,
                vector BLOB NOT NULL, document TEXT, metadata TEXT, UNIQUE(collection, id));
            CREATE TABLE changes(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, collection INTEGER NOT NULL, op INTEGER NOT NULL, record INTEGER NOT NULL,
                ship_seq INTEGER, at INTEGER, body BLOB);
            """);
        Execute(transaction, ChangesByCollection);
        CreateMetadataTable(transaction);
        CreateDocumentIndex(transaction);
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
        using var transaction = Writer.BeginTransaction(deferred: false);
        CreateMetadataTable(transaction);
        // json_each gives 'true'/'false' rows the values 1/0, which is how MetadataRows stores bools.
        Execute(transaction, """
            INSERT INTO metadata(record, key, collection, kind, value)
            SELECT r.row_id, j.key, r.collection,
                   CASE j.type WHEN 'text' THEN 0 WHEN 'integer' THEN 1 WHEN 'real' THEN 1 ELSE 2 END, j.value
            FROM records r, json_each(r.metadata) j WHERE r.metadata IS NOT NULL;
            """);
        Execute(transaction, "UPDATE store_info SET value = '2' WHERE key = 'format_version';");
        transaction.Commit();
    }

    /// <summary>
    /// The trigram full-text index of documents (version 3): an external-content FTS5 table over <c>records.document</c>,
    /// kept in step by triggers inside each write's own transaction. Case-sensitive, as <c>$contains</c> is.
    /// </summary>
    private void CreateDocumentIndex(SqliteTransaction transaction) => Execute(transaction, """
        CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(document, content='records', content_rowid='row_id', tokenize='trigram case_sensitive 1');
        CREATE TRIGGER IF NOT EXISTS records_document_insert AFTER INSERT ON records WHEN new.document IS NOT NULL BEGIN
            INSERT INTO documents_fts(rowid, document) VALUES (new.row_id, new.document);
        END;
        CREATE TRIGGER IF NOT EXISTS records_document_delete AFTER DELETE ON records WHEN old.document IS NOT NULL BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, document) VALUES ('delete', old.row_id, old.document);
        END;
        CREATE TRIGGER IF NOT EXISTS records_document_update AFTER UPDATE OF document ON records BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, document) SELECT 'delete', old.row_id, old.document WHERE old.document IS NOT NULL;
            INSERT INTO documents_fts(rowid, document) SELECT new.row_id, new.document WHERE new.document IS NOT NULL;
        END;
        """);

    /// <summary>Version 2 → 3: collection metadata (a nullable column) and the document index, derived from <c>records.document</c> and filled by FTS5's rebuild, in one transaction.</summary>
    private void MigrateFromVersion2()
    {
        using var transaction = Writer.BeginTransaction(deferred: false);
        if (Scalar<long>(Writer, transaction, "SELECT COUNT(*) FROM pragma_table_info('collections') WHERE name = 'metadata';") == 0)
            Execute(transaction, "ALTER TABLE collections ADD COLUMN metadata TEXT;");
        CreateDocumentIndex(transaction);
        Execute(transaction, "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');");
        Execute(transaction, "UPDATE store_info SET value = '3' WHERE key = 'format_version';");
        transaction.Commit();
    }

    /// <summary>Version 3 → 4: the embedding generator's model id of each collection (a nullable column; existing collections have none).</summary>
    private void MigrateFromVersion3()
    {
        using var transaction = Writer.BeginTransaction(deferred: false);
        if (Scalar<long>(Writer, transaction, "SELECT COUNT(*) FROM pragma_table_info('collections') WHERE name = 'embedding_model';") == 0)
            Execute(transaction, "ALTER TABLE collections ADD COLUMN embedding_model TEXT;");
        Execute(transaction, "UPDATE store_info SET value = '4' WHERE key = 'format_version';");
        transaction.Commit();
    }

    /// <summary>
    /// The index of change rows by collection (replay, checkpoint pruning, a collection's newest change), partial: the
    /// shipping log's entries, which no query finds by collection, are left out, so an entry adds no index cell and a
    /// commit that writes no change row (a metadata-only update) dirties one page fewer for its entry. Every query
    /// that uses it states <see cref="ShipLog.IsChange"/>, which is what lets SQLite choose a partial index.
    /// </summary>
    private const string ChangesByCollection = $"CREATE INDEX changes_by_collection ON changes(collection, seq) WHERE {ShipLog.IsChange};";

    /// <summary>
    /// Stores of format 5 made before the index was partial get it at their first writable open: the same format (a
    /// reader of either shape answers the same; only entries' index cells go), rebuilt in one transaction from the
    /// change rows, which checkpoints keep few.
    /// </summary>
    private void KeepEntriesOutOfTheChangeIndex()
    {
        string? sql = Scalar<string>(Writer, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'changes_by_collection';");
        if (sql is not null && sql.Contains(" WHERE ", StringComparison.Ordinal))
            return;
        using var transaction = Writer.BeginTransaction(deferred: false);
        Execute(transaction, "DROP INDEX IF EXISTS changes_by_collection;");
        Execute(transaction, ChangesByCollection);
        transaction.Commit();
    }

    /// <summary>
    /// Version 4 → 5: the shipping log moves from its own table into <c>changes</c> (see <see cref="ShipLog"/>): three
    /// nullable columns, every <c>ship_log</c> row copied as an entry with its sequence, time and body, in order, and the
    /// table dropped. A log emptied by a restore leaves its last sequence in <see cref="ShipLog.LastKey"/>, so the
    /// numbering goes on from it as AUTOINCREMENT did.
    /// </summary>
    private void MigrateFromVersion4()
    {
        using var transaction = Writer.BeginTransaction(deferred: false);
        foreach (var (column, type) in new[] { ("ship_seq", "INTEGER"), ("at", "INTEGER"), ("body", "BLOB") })
        {
            if (Scalar<long>(Writer, transaction, "SELECT COUNT(*) FROM pragma_table_info('changes') WHERE name = @n;", ("@n", column)) == 0)
                Execute(transaction, $"ALTER TABLE changes ADD COLUMN {column} {type};");
        }
        if (Scalar<long>(Writer, transaction, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='ship_log';") > 0)
        {
            Execute(transaction, $"INSERT INTO changes(collection, op, record, ship_seq, at, body) SELECT 0, {(int)ChangeOp.Logged}, 0, seq, at, body FROM ship_log ORDER BY seq;");
            long counter = Scalar<long>(Writer, transaction, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'ship_log'), 0);");
            if (counter > 0 && Scalar<long>(Writer, transaction, "SELECT COUNT(*) FROM ship_log;") == 0)
                Execute(transaction, "INSERT INTO store_info(key, value) VALUES (@k, @v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
                    ("@k", ShipLog.LastKey), ("@v", counter.ToString(CultureInfo.InvariantCulture)));
            Execute(transaction, "DROP TABLE ship_log;");
        }
        Execute(transaction, "UPDATE store_info SET value = @v WHERE key = 'format_version';", ("@v", FormatVersion.ToString(CultureInfo.InvariantCulture)));
        transaction.Commit();
    }
}

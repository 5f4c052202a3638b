using System.Globalization;
using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>One commit of a store's shipping log: its sequence number, its commit time and its changes with their values.</summary>
/// <param name="Sequence">The commit's number in the log (consecutive, never reused).</param>
/// <param name="CommittedAt">When it committed, by the writer's clock (never decreasing).</param>
/// <param name="Body">The encoded changes; apply with <see cref="ChangeFeed.Apply"/>.</param>
public sealed record LoggedCommit(long Sequence, DateTimeOffset CommittedAt, byte[] Body);

/// <summary>What a copy of a store's database (a snapshot) holds of its shipping log.</summary>
/// <param name="Enabled">Shipping was enabled when the copy was taken: every later commit is in the log.</param>
/// <param name="Sequence">The newest logged commit in the copy (0 when none): the copy holds every commit up to it and none after it.</param>
/// <param name="CommittedAt">That commit's time, or null when none.</param>
public readonly record struct ChangeFeedPosition(bool Enabled, long Sequence, DateTimeOffset? CommittedAt);

/// <summary>
/// A store's shipping log, read by a shipper beside the store's writer — in the same process or another one, through
/// a connection of its own (SQLite's WAL lets it read without holding up the writer's commits).
/// </summary>
/// <remarks>
/// While shipping is enabled, every commit of the writer adds one log row inside its own transaction: the changes
/// with their values (a record whole, as it is after the commit), collection creation, deletion and renames, and the
/// commit time from the writer's <see cref="StoreOptions.TimeProvider"/> (never decreasing). The log is the shipper's
/// local queue: rows stay until <see cref="MarkShipped"/> says they are durable on the target, so a writer's
/// checkpoints never prune a change the shipper has not shipped. The shipper's only writes to the database are that
/// watermark and the deletion of shipped rows, each a short transaction.
/// </remarks>
public sealed class ChangeFeed : IDisposable
{
    private readonly SqliteConnection _connection;

    /// <summary>The last entry <see cref="Read"/> returned and its row in <c>changes</c>, where the next read starts.</summary>
    private (long Sequence, long Row) _lastRead = (-1, 0);

    private ChangeFeed(string storeFolder, SqliteConnection connection)
    {
        StoreFolder = storeFolder;
        _connection = connection;
    }

    public string StoreFolder { get; }

    /// <summary>Opens the log of the store in <paramref name="storeFolder"/> (no LOCK is taken: a writer may hold the store).</summary>
    /// <exception cref="StoreException">There is no store there.</exception>
    public static ChangeFeed Open(string storeFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        string database = Path.Combine(storeFolder, NativeHnsw.Storage.StoreFolder.DatabaseFileName);
        if (!File.Exists(database))
            throw new StoreException($"{storeFolder}: not a store folder (there is no {NativeHnsw.Storage.StoreFolder.DatabaseFileName}).");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            connection.Open();
            StoreDatabase.Scalar<long>(connection, "PRAGMA busy_timeout=30000;"); // waits in short sleeps (see StoreDatabase)
            // The shipper's writes (watermark, deletion of shipped rows) need not survive a power cut: the segments are
            // on the target and a restart resumes from there. FULL would fsync the WAL inside each of them, holding the
            // write lock the writer's next commit waits for.
            StoreDatabase.Scalar<long>(connection, "PRAGMA synchronous=NORMAL;");
            if (StoreDatabase.Scalar<long>(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='store_info';") == 0)
                throw new StoreException($"{storeFolder}: not a NativeHnsw store database (it has no store_info table).");
            string? version = StoreDatabase.Scalar<string>(connection, "SELECT value FROM store_info WHERE key = 'format_version';");
            if (version != StoreDatabase.FormatVersion.ToString(CultureInfo.InvariantCulture))
            {
                // The log's layout is the format's (version 4 kept it in a table of its own): a writer of this build
                // migrates the store when it opens it.
                throw new StoreException($"{storeFolder}: store format version {version}; this build ships from format {StoreDatabase.FormatVersion} (open the store once for writing with this build to migrate it).");
            }
            return new ChangeFeed(storeFolder, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Whether the writer logs its commits (the watermark is present).</summary>
    public bool IsEnabled => Watermark() is not null;

    /// <summary>The last sequence a shipper made durable (0 before any), or null when shipping is not enabled.</summary>
    public long? Shipped => Watermark();

    /// <summary>
    /// Enables shipping (idempotent): adds a marker commit so that every snapshot taken from now on holds a log row
    /// that tells its position, and sets the watermark just before it. Returns the watermark.
    /// </summary>
    /// <param name="time">The clock of the marker's commit time: the writer's (its later commits are never stamped earlier).</param>
    public long Enable(TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        using var transaction = _connection.BeginTransaction(deferred: false);
        if (Watermark(transaction) is { } shipped)
            return shipped;
        var (last, lastAt) = Newest(transaction);
        last ??= ShipLog.LastOfEmptyLog(_connection, transaction);
        long marker = last.Value + 1;
        Execute(transaction, ShipLog.InsertEntry, ("@c", 0L), ("@s", marker),
            ("@at", Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), lastAt ?? 0)), ("@b", new byte[] { ShipLog.FormatVersion, (byte)ShipLog.Op.Enabled }));
        SetWatermark(transaction, marker - 1);
        transaction.Commit();
        return marker - 1;
    }

    /// <summary>Up to <paramref name="maxCommits"/> commits after sequence <paramref name="after"/> (and about <paramref name="maxBytes"/> at most, never fewer than one), oldest first, from one read transaction.</summary>
    /// <exception cref="StoreException">Commits after <paramref name="after"/> were deleted (a gap): the log cannot continue from there.</exception>
    public IReadOnlyList<LoggedCommit> Read(long after, int maxCommits, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCommits, 1);
        var commits = new List<LoggedCommit>();
        using var transaction = _connection.BeginTransaction(deferred: true);
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        // The entries are found by their rows' order (ship_seq has no index, which would cost each commit a page):
        // from the row of the last one read when it is the one asked after, else from the start of changes.
        command.CommandText = $"SELECT ship_seq, at, body, seq FROM changes WHERE seq > @r AND {ShipLog.IsEntry} AND ship_seq > @a ORDER BY seq LIMIT @n;";
        command.Parameters.AddWithValue("@r", _lastRead.Sequence == after ? _lastRead.Row : 0);
        command.Parameters.AddWithValue("@a", after);
        command.Parameters.AddWithValue("@n", maxCommits);
        long bytes = 0;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var body = (byte[])reader[2];
                if (commits.Count > 0 && bytes + body.Length > maxBytes)
                    break;
                long seq = reader.GetInt64(0);
                long expected = commits.Count == 0 ? after + 1 : commits[^1].Sequence + 1;
                if (seq != expected)
                    throw new StoreException(string.Create(CultureInfo.InvariantCulture, $"{StoreFolder}: the shipping log has no commit {expected} (the next one is {seq}): commits were removed before they were shipped."));
                commits.Add(new LoggedCommit(seq, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), body));
                bytes += body.Length;
                _lastRead = (seq, reader.GetInt64(3));
            }
        }
        transaction.Commit();
        return commits;
    }

    /// <summary>The newest logged sequence (0 when none).</summary>
    public long LastSequence()
    {
        using var transaction = _connection.BeginTransaction(deferred: true);
        long last = Newest(transaction).Sequence ?? 0;
        transaction.Commit();
        return last;
    }

    /// <summary>
    /// Records that every commit up to <paramref name="sequence"/> is durable on the target (the watermark never goes
    /// back) and deletes those rows, except the newest row of the log, which a snapshot needs to tell its position.
    /// </summary>
    public void MarkShipped(long sequence)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        long current = Watermark(transaction) ?? throw new InvalidOperationException($"{StoreFolder}: shipping is not enabled.");
        if (sequence > current)
            SetWatermark(transaction, sequence);
        Execute(transaction, $"DELETE FROM changes WHERE {ShipLog.IsEntry} AND ship_seq <= @s AND seq < (SELECT seq FROM changes WHERE {ShipLog.IsEntry} ORDER BY seq DESC LIMIT 1);",
            ("@s", Math.Max(sequence, current)));
        transaction.Commit();
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>Where the log of the store copy in <paramref name="storeFolder"/> stands (read from a closed store, such as a restored snapshot).</summary>
    public static ChangeFeedPosition ReadPosition(string storeFolder)
    {
        using var feed = Open(storeFolder);
        using var transaction = feed._connection.BeginTransaction(deferred: true);
        bool enabled = feed.Watermark(transaction) is not null;
        var (sequence, at) = feed.Newest(transaction);
        transaction.Commit();
        return sequence is { } seq
            ? new ChangeFeedPosition(enabled, seq, DateTimeOffset.FromUnixTimeMilliseconds(at!.Value))
            : new ChangeFeedPosition(enabled, 0, null);
    }

    /// <summary>Stops logging in the store in <paramref name="storeFolder"/> and empties its log (a restored copy, which nothing ships).</summary>
    public static void Disable(string storeFolder)
    {
        using var feed = Open(storeFolder);
        using var transaction = feed._connection.BeginTransaction(deferred: false);
        feed.Execute(transaction, "DELETE FROM store_info WHERE key = @k;", ("@k", ShipLog.WatermarkKey));
        if (feed.Newest(transaction).Sequence is { } last)
        {
            // A sequence is never reused: a log enabled on this copy later numbers on from here.
            feed.Execute(transaction, "INSERT INTO store_info(key, value) VALUES (@k, @v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
                ("@k", ShipLog.LastKey), ("@v", ShipLog.Invariant(last)));
        }
        feed.Execute(transaction, $"DELETE FROM changes WHERE {ShipLog.IsEntry};");
        transaction.Commit();
    }

    /// <summary>Applies one logged commit to a store opened for writing; returns the number of changes applied.</summary>
    /// <exception cref="InvalidDataException">The body cannot be read.</exception>
    /// <exception cref="StoreException">The commit cannot be replayed (a re-embed), or a change does not fit the store.</exception>
    public static int Apply(PersistentClient client, LoggedCommit commit)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(commit);
        return ShipLog.Apply(client, commit.Body, string.Create(CultureInfo.InvariantCulture, $"{client.Path}: commit {commit.Sequence}"));
    }

    /// <summary>The newest entry's sequence and commit time, or nulls when the log is empty.</summary>
    private (long? Sequence, long? At) Newest(SqliteTransaction transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ShipLog.Newest + ";";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : (null, null);
    }

    private long? Watermark(SqliteTransaction? transaction = null)
    {
        string? text = StoreDatabase.Scalar<string>(_connection, transaction, "SELECT value FROM store_info WHERE key = @k;", ("@k", ShipLog.WatermarkKey));
        if (text is null)
            return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new StoreCorruptException(StoreFolder, $"store_info.{ShipLog.WatermarkKey} is '{text}', not a sequence number");
    }

    private void SetWatermark(SqliteTransaction transaction, long value) =>
        Execute(transaction, "INSERT INTO store_info(key, value) VALUES (@k, @v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
            ("@k", ShipLog.WatermarkKey), ("@v", ShipLog.Invariant(value)));

    private void Execute(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}

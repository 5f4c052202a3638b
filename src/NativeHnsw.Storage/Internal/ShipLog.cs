using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The change log a shipper copies to a backup target: one entry per commit (sequence, commit time in Unix
/// milliseconds, and a body that holds every change of that commit with its values). The <c>changes</c> rows alone
/// cannot serve: they hold only row ids (the values are overwritten by later commits), they are pruned at each
/// checkpoint, and they do not see document- or metadata-only updates, renames or collection creation.
/// </summary>
/// <remarks>
/// <para>
/// An entry is a row of the <c>changes</c> table itself (format version 5), marked by a non-null <c>ship_seq</c>, with
/// <c>op</c> <see cref="ChangeOp.Logged"/>, <c>record</c> 0 and the commit's collection (0 for a commit on none).
/// Appended after the commit's own change rows, it lands in the leaf page that the commit already writes, and its entry
/// in <c>changes_by_collection</c> beside theirs: no other page is dirtied, so the commit writes no extra WAL frame.
/// A table of its own (format 4's <c>ship_log</c>) cost each one-record commit its last leaf page as well: 1.14 WAL
/// frames more than shipping off, against 0.26 for an entry here (its bytes' share of new pages). The replay, the
/// checkpoint's prune and a collection's deletion take record changes only (<see cref="IsChange"/>): an entry leaves
/// only when the shipper has shipped it.
/// </para>
/// <para>
/// Written only while shipping is enabled, that is while <c>store_info</c> holds <see cref="WatermarkKey"/> (the last
/// sequence the shipper made durable on its target). The writer checks the key inside each write transaction, so a
/// shipper in another process that enables shipping sees every later commit logged, with no restart of the writer.
/// The shipper, not the writer, deletes shipped entries: the log is the shipper's local queue, kept until shipped.
/// The newest entry is never deleted, so a copy of the database (a snapshot) tells which sequence and commit time it
/// holds, and the next sequence follows it (after <see cref="ChangeFeed.Disable"/>, which deletes every entry, from
/// <see cref="LastKey"/>): a sequence is never reused.
/// </para>
/// </remarks>
internal static class ShipLog
{
    public const string WatermarkKey = "ship:shipped";

    /// <summary>The last sequence of a log that <see cref="ChangeFeed.Disable"/> emptied, so that the next one follows it.</summary>
    public const string LastKey = "ship:last";

    /// <summary>The condition that picks the log's entries out of <c>changes</c> (and, negated, the record changes).</summary>
    public const string IsEntry = "ship_seq IS NOT NULL";

    /// <summary>The record changes of <c>changes</c>, without the log's entries.</summary>
    public const string IsChange = "ship_seq IS NULL";

    /// <summary>The newest entry's sequence and commit time (no row when the log is empty); a scan from the end that stops at it.</summary>
    public const string Newest = "SELECT ship_seq, at FROM changes WHERE ship_seq IS NOT NULL ORDER BY seq DESC LIMIT 1";

    /// <summary>Adds an entry; parameters <c>@c</c> (collection or 0), <c>@s</c> (sequence), <c>@at</c>, <c>@b</c> (body).</summary>
    public const string InsertEntry = "INSERT INTO changes(collection, op, record, ship_seq, at, body) VALUES (@c, 3, 0, @s, @at, @b);";

    public const int FormatVersion = 1;

    public enum Op : byte
    {
        Enabled = 1,
        Upsert = 2,
        Delete = 3,
        CreateCollection = 4,
        DeleteCollection = 5,
        ModifyCollection = 6,
        Reembed = 7,
    }

    /// <summary>
    /// A recorder for one write transaction, or null when shipping is not enabled (nothing to log). With
    /// <paramref name="collectionId"/>, the same look-up also reads that collection's name as of the transaction
    /// (<see cref="Recorder.Collection"/>): one statement per commit, whether shipping is on or off.
    /// </summary>
    public static Recorder? Begin(StoreDatabase database, SqliteTransaction transaction, TimeProvider time, long? collectionId = null)
    {
        var state = database.ShipWriter;
        var command = state.Lookup;
        command.Transaction = transaction;
        command.Parameters[0].Value = WatermarkKey;
        command.Parameters[1].Value = (object?)collectionId ?? DBNull.Value;
        using var reader = command.ExecuteReader();
        reader.Read();
        if (reader.IsDBNull(0))
            return null;
        long lastSequence = reader.IsDBNull(2) ? LastOfEmptyLog(database.Writer, transaction) : reader.GetInt64(2);
        long lastAt = reader.IsDBNull(3) ? long.MinValue : reader.GetInt64(3);
        return new Recorder(state, transaction, time, collectionId ?? 0, lastSequence, lastAt) { Collection = reader.IsDBNull(1) ? "" : reader.GetString(1) };
    }

    /// <summary>The sequence the next entry of an empty log follows: the one <see cref="ChangeFeed.Disable"/> recorded, or 0.</summary>
    public static long LastOfEmptyLog(SqliteConnection connection, SqliteTransaction? transaction)
    {
        string? text = StoreDatabase.Scalar<string>(connection, transaction, "SELECT value FROM store_info WHERE key = @k;", ("@k", LastKey));
        return text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long last) ? last : 0;
    }

    /// <summary>
    /// What every commit of one writer connection reuses: the look-up, the entry's INSERT and the body's buffer, made once
    /// rather than at each commit (Microsoft.Data.Sqlite prepares a new command's statement on its first run). The writer
    /// connection is used under its writer lock, one transaction at a time, so one of each serves every commit. Owned by
    /// the <see cref="StoreDatabase"/>, which disposes it before it closes the connection.
    /// </summary>
    internal sealed class WriterState : IDisposable
    {
        private readonly sqlite3 _connection;

        // The INSERT runs as SQLite's own statement, bound and stepped through SQLitePCL: Microsoft.Data.Sqlite's
        // ExecuteNonQuery costs about 1.5 µs more a run (its statement enumeration and parameter binding), nearly 1 % of
        // a one-record commit, where the whole log may cost 5 % (docs/BACKUP.md).
        private readonly sqlite3_stmt _insert;

        public WriterState(SqliteConnection writer)
        {
            _connection = writer.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
            // The newest entry is looked for only when the watermark is there, inside CASE (SQLite runs a subquery
            // where it is used): with shipping off, a scan from the end of changes for an entry would find none and
            // read the whole table at every commit. With shipping on, each scan stops at the first row it reads.
            Lookup = Prepared(writer, $"""
                SELECT w.v, (SELECT name FROM collections WHERE id = @c),
                    CASE WHEN w.v IS NOT NULL THEN (SELECT ship_seq FROM changes WHERE {IsEntry} ORDER BY seq DESC LIMIT 1) END,
                    CASE WHEN w.v IS NOT NULL THEN (SELECT at FROM changes WHERE {IsEntry} ORDER BY seq DESC LIMIT 1) END
                FROM (SELECT (SELECT value FROM store_info WHERE key = @k) AS v) w;
                """,
                ("@k", SqliteType.Text), ("@c", SqliteType.Integer));
            // No RETURNING: nothing needs the row at commit. Its parameters are numbered in the order they appear: @c 1, @s 2, @at 3, @b 4.
            int rc = raw.sqlite3_prepare_v3(_connection, InsertEntry, raw.SQLITE_PREPARE_PERSISTENT, out _insert, out _);
            SqliteException.ThrowExceptionForRC(rc, _connection);
            Out = new BinaryWriter(Body, Encoding.UTF8, leaveOpen: true);
        }

        public SqliteCommand Lookup { get; }

        public MemoryStream Body { get; } = new();

        public BinaryWriter Out { get; }

        /// <summary>Adds an entry inside the writer's open transaction.</summary>
        /// <exception cref="SqliteException">SQLite refused the row (the store is full, damaged, or its disk failed).</exception>
        public void AddEntry(long collectionId, long sequence, long at, ReadOnlySpan<byte> body)
        {
            raw.sqlite3_bind_int64(_insert, 1, collectionId);
            raw.sqlite3_bind_int64(_insert, 2, sequence);
            raw.sqlite3_bind_int64(_insert, 3, at);
            raw.sqlite3_bind_blob(_insert, 4, body); // copied by SQLite (SQLITE_TRANSIENT)
            int rc = raw.sqlite3_step(_insert);
            raw.sqlite3_reset(_insert);
            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, _connection);
        }

        public void Dispose()
        {
            Lookup.Dispose();
            _insert.Dispose();
            Out.Dispose();
            Body.Dispose();
        }
    }

    /// <summary>Collects the changes of one commit; <see cref="Commit"/> adds the entry inside the same transaction.</summary>
    public sealed class Recorder
    {
        private readonly WriterState _state;
        private readonly SqliteTransaction _transaction;
        private readonly TimeProvider _time;
        private readonly long _collectionId;
        private readonly long _lastSequence;
        private readonly long _lastAt;
        private int _count;

        public Recorder(WriterState state, SqliteTransaction transaction, TimeProvider time, long collectionId, long lastSequence, long lastAt)
        {
            _state = state;
            _transaction = transaction;
            _time = time;
            _collectionId = collectionId;
            _lastSequence = lastSequence;
            _lastAt = lastAt;
            state.Body.SetLength(0);
            state.Out.Write((byte)FormatVersion);
        }

        /// <summary>The name of the collection <see cref="Begin"/> was given, as of the transaction (a rename commits before the handle's name changes).</summary>
        public string Collection { get; init; } = "";

        public BinaryWriter Add(Op op)
        {
            _count++;
            _state.Out.Write((byte)op);
            return _state.Out;
        }

        public void Upsert(string collection, string id, byte[] vector, string? document, string? metadataJson)
        {
            var w = Add(Op.Upsert);
            w.Write(collection);
            w.Write(id);
            w.Write(vector.Length);
            w.Write(vector);
            WriteNullable(w, document);
            WriteNullable(w, metadataJson);
        }

        public void Delete(string collection, string id)
        {
            var w = Add(Op.Delete);
            w.Write(collection);
            w.Write(id);
        }

        /// <summary>Adds the entry, after the commit's own change rows, unless the commit changed nothing that is logged.</summary>
        public void Commit()
        {
            if (_count == 0)
                return;
            _state.Out.Flush();
            // Commit times never go backwards, even when the wall clock does, so "every commit at or before T" is a
            // prefix of the sequence.
            long at = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastAt);
            _state.AddEntry(_collectionId, _lastSequence + 1, at, _state.Body.GetBuffer().AsSpan(0, (int)_state.Body.Length));
        }
    }

    private static SqliteCommand Prepared(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
            command.Parameters.Add(name, type);
        return command;
    }

    public static void WriteCreate(Recorder ship, string name, CollectionOptions options, string? metadataJson, string? embeddingModel)
    {
        var w = ship.Add(Op.CreateCollection);
        w.Write(name);
        w.Write(options.Dimensions);
        w.Write((int)options.Metric);
        w.Write(options.M);
        w.Write(options.EfConstruction);
        w.Write(options.DefaultEf);
        w.Write(options.Seed);
        WriteNullable(w, metadataJson);
        WriteNullable(w, embeddingModel);
    }

    /// <summary>
    /// Applies one commit's body to <paramref name="client"/> through its public operations. A changed record is
    /// logged whole, so it is deleted and added again: a document or metadata key it lost is gone, exactly as at the
    /// commit. Returns the number of changes applied.
    /// </summary>
    /// <exception cref="InvalidDataException">The body is not a commit this build can read.</exception>
    /// <exception cref="StoreException">The commit re-embedded a collection, which cannot be replayed.</exception>
    public static int Apply(PersistentClient client, byte[] body, string where)
    {
        using var r = new BinaryReader(new MemoryStream(body, writable: false), Encoding.UTF8);
        try
        {
            int version = r.ReadByte();
            if (version != FormatVersion)
                throw new InvalidDataException($"{where}: a commit of log format {version}; this build reads format {FormatVersion}");
            var pending = new PendingBatch();
            int applied = 0;
            while (r.BaseStream.Position < r.BaseStream.Length)
            {
                var op = (Op)r.ReadByte();
                applied++;
                switch (op)
                {
                    case Op.Enabled:
                        applied--;
                        break;
                    case Op.Upsert:
                    {
                        string collection = r.ReadString();
                        string id = r.ReadString();
                        byte[] vector = r.ReadBytes(r.ReadInt32());
                        string? document = ReadNullable(r);
                        string? metadata = ReadNullable(r);
                        pending.Add(client, collection, upsert: true);
                        pending.Ids.Add(id);
                        pending.Vectors.Add(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(vector).ToArray());
                        pending.Documents.Add(document);
                        pending.Metadatas.Add(MetadataValues.FromJson(metadata)?.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));
                        break;
                    }
                    case Op.Delete:
                    {
                        string collection = r.ReadString();
                        pending.Add(client, collection, upsert: false);
                        pending.Ids.Add(r.ReadString());
                        break;
                    }
                    case Op.CreateCollection:
                    {
                        pending.Flush(client);
                        string name = r.ReadString();
                        var options = new CollectionOptions
                        {
                            Dimensions = r.ReadInt32(),
                            Metric = (DistanceMetric)r.ReadInt32(),
                            M = r.ReadInt32(),
                            EfConstruction = r.ReadInt32(),
                            DefaultEf = r.ReadInt32(),
                            Seed = r.ReadUInt64(),
                        };
                        var metadata = MetadataValues.FromJson(ReadNullable(r));
                        string? model = ReadNullable(r);
                        client.CreateCollection(name, options, metadata?.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));
                        if (model is not null)
                        {
                            // The generator is not at hand: its identity is stored, so opening the store with it later works.
                            var db = client.Database;
                            db.Run(() =>
                            {
                                lock (db.WriterLock)
                                    db.Execute("UPDATE collections SET embedding_model = @m WHERE name = @n;", ("@m", model), ("@n", name));
                            });
                        }
                        break;
                    }
                    case Op.DeleteCollection:
                        pending.Flush(client);
                        client.DeleteCollection(r.ReadString());
                        break;
                    case Op.ModifyCollection:
                    {
                        pending.Flush(client);
                        string before = r.ReadString();
                        string after = r.ReadString();
                        bool setMetadata = r.ReadBoolean();
                        var metadata = MetadataValues.FromJson(ReadNullable(r));
                        IReadOnlyDictionary<string, object?>? patch = setMetadata
                            ? metadata?.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal) ?? new Dictionary<string, object?>()
                            : null;
                        client.GetCollection(before).Modify(after == before ? null : after, patch);
                        break;
                    }
                    case Op.Reembed:
                        throw new StoreException($"{where}: collection '{r.ReadString()}' was re-embedded with another generator in this commit; changing dimensions and generator cannot be replayed from the log (restore from a snapshot taken after it)");
                    default:
                        throw new InvalidDataException($"{where}: unknown change kind {(byte)op}");
                }
            }
            pending.Flush(client);
            return applied;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{where}: the commit ends inside a change", e);
        }
    }

    /// <summary>Consecutive record changes of one kind in one collection (one commit holds one write), applied as one batch.</summary>
    private sealed class PendingBatch
    {
        private string? _collection;
        private bool _upsert;

        public List<string> Ids { get; } = [];

        public List<float[]?> Vectors { get; } = [];

        public List<string?> Documents { get; } = [];

        public List<IReadOnlyDictionary<string, object?>?> Metadatas { get; } = [];

        public void Add(PersistentClient client, string collection, bool upsert)
        {
            if (_collection is not null && (_collection != collection || _upsert != upsert))
                Flush(client);
            _collection = collection;
            _upsert = upsert;
        }

        public void Flush(PersistentClient client)
        {
            if (_collection is null || Ids.Count == 0)
                return;
            var collection = client.GetCollection(_collection);
            collection.Delete(Ids);
            if (_upsert)
                collection.Add(Ids, Vectors, Documents, Metadatas);
            Ids.Clear();
            Vectors.Clear();
            Documents.Clear();
            Metadatas.Clear();
            _collection = null;
        }
    }

    public static void WriteNullable(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null)
            w.Write(text);
    }

    public static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

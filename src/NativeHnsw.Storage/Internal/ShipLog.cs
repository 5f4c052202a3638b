using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The change log a shipper copies to a backup target: one <c>ship_log</c> row per commit (sequence, commit time in
/// Unix milliseconds, and a body that holds every change of that commit with its values). The <c>changes</c> table
/// cannot serve: it holds only row ids (the values are overwritten by later commits), it is pruned at each checkpoint,
/// and it does not see document- or metadata-only updates, renames or collection creation.
/// </summary>
/// <remarks>
/// Written only while shipping is enabled, that is while <c>store_info</c> holds <see cref="WatermarkKey"/> (the last
/// sequence the shipper made durable on its target). The writer checks the key inside each write transaction, so a
/// shipper in another process that enables shipping sees every later commit logged, with no restart of the writer.
/// The shipper, not the writer, deletes shipped rows: the log is the shipper's local queue, kept until shipped.
/// The newest row is never deleted, so a copy of the database (a snapshot) tells which sequence and commit time it holds.
/// </remarks>
internal static class ShipLog
{
    public const string WatermarkKey = "ship:shipped";

    public const string CreateTable = "CREATE TABLE IF NOT EXISTS ship_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body BLOB NOT NULL);";

    public const int FormatVersion = 1;

    // The look-up, the INSERT and the body's buffer of every commit, made once per writer connection rather than at
    // each commit (Microsoft.Data.Sqlite prepares a new command's statement on its first run): on a one-record commit
    // the log's own CPU is a few per cent of the commit, and preparing and allocating were part of it. The writer
    // connection is used under its writer lock, one transaction at a time, so one of each serves every commit.
    private static readonly ConditionalWeakTable<SqliteConnection, WriterState> s_writers = new();

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
    public static Recorder? Begin(SqliteConnection writer, SqliteTransaction transaction, TimeProvider time, long? collectionId = null)
    {
        var state = s_writers.GetValue(writer, static c => new WriterState(c));
        var command = state.Lookup;
        command.Transaction = transaction;
        command.Parameters[0].Value = WatermarkKey;
        command.Parameters[1].Value = (object?)collectionId ?? DBNull.Value;
        using var reader = command.ExecuteReader();
        reader.Read();
        if (reader.IsDBNull(0))
            return null;
        long lastAt = reader.IsDBNull(1) ? long.MinValue : reader.GetInt64(1);
        return new Recorder(state, transaction, time, lastAt) { Collection = reader.IsDBNull(2) ? "" : reader.GetString(2) };
    }

    /// <summary>What every commit of one writer connection reuses: its two statements and the body's buffer.</summary>
    internal sealed class WriterState
    {
        public WriterState(SqliteConnection writer)
        {
            Lookup = Prepared(writer,
                "SELECT (SELECT value FROM store_info WHERE key = @k), (SELECT at FROM ship_log ORDER BY seq DESC LIMIT 1), (SELECT name FROM collections WHERE id = @c);",
                ("@k", SqliteType.Text), ("@c", SqliteType.Integer));
            // No RETURNING: nothing needs the sequence at commit, and a statement that returns rows costs a reader.
            Insert = Prepared(writer, "INSERT INTO ship_log(at, body) VALUES (@at, @b);", ("@at", SqliteType.Integer), ("@b", SqliteType.Blob));
            Out = new BinaryWriter(Body, Encoding.UTF8, leaveOpen: true);
        }

        public SqliteCommand Lookup { get; }

        public SqliteCommand Insert { get; }

        public MemoryStream Body { get; } = new();

        public BinaryWriter Out { get; }
    }

    /// <summary>Collects the changes of one commit; <see cref="Commit"/> adds the row inside the same transaction.</summary>
    public sealed class Recorder
    {
        private readonly WriterState _state;
        private readonly SqliteTransaction _transaction;
        private readonly TimeProvider _time;
        private readonly long _lastAt;
        private int _count;

        public Recorder(WriterState state, SqliteTransaction transaction, TimeProvider time, long lastAt)
        {
            _state = state;
            _transaction = transaction;
            _time = time;
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

        /// <summary>Adds the row, unless the commit changed nothing that is logged.</summary>
        public void Commit()
        {
            if (_count == 0)
                return;
            _state.Out.Flush();
            // Commit times never go backwards, even when the wall clock does, so "every commit at or before T" is a
            // prefix of the sequence.
            long at = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastAt);
            var insert = _state.Insert;
            insert.Transaction = _transaction;
            insert.Parameters[0].Value = at;
            insert.Parameters[1].Value = _state.Body.ToArray();
            insert.ExecuteNonQuery();
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

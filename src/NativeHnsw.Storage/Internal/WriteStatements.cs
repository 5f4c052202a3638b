using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The statements every record commit runs on the writer connection, made once per store and kept prepared: a commit
/// of one record runs five or more of them, and preparing each again per commit (Microsoft.Data.Sqlite prepares a
/// command at its first run, and a new command each time) cost about as much as running them. Owned by
/// <see cref="StoreDatabase.Writes"/> and disposed with it, before the writer connection; use under
/// <see cref="StoreDatabase.WriterLock"/>, after <see cref="Enlist"/> for the commit's transaction.
/// </summary>
internal sealed class WriteStatements : IDisposable
{
    private readonly SqliteCommand[] _all;

    public WriteStatements(SqliteConnection writer)
    {
        Select = Command(writer, "SELECT row_id, vector, document, metadata FROM records WHERE collection = @c AND id = @id;", "@c", "@id");
        Insert = Command(writer, "INSERT INTO records(collection, id, vector, document, metadata) VALUES (@c, @id, @v, @d, @m) RETURNING row_id;", "@c", "@id", "@v", "@d", "@m");
        Update = Command(writer, "UPDATE records SET vector = @v, document = @d, metadata = @m WHERE row_id = @r;", "@v", "@d", "@m", "@r");
        Delete = Command(writer, "DELETE FROM records WHERE row_id = @r;", "@r");
        Change = Command(writer, "INSERT INTO changes(collection, op, record) VALUES (@c, @op, @r) RETURNING seq;", "@c", "@op", "@r");
        Metadata = new MetadataRows(
            Command(writer, "INSERT INTO metadata(record, key, collection, kind, value) VALUES (@r, @k, @c, @t, @v);", "@r", "@k", "@c", "@t", "@v"),
            Command(writer, "DELETE FROM metadata WHERE record = @r;", "@r"));
        _all = [Select, Insert, Update, Delete, Change, Metadata.InsertCommand, Metadata.DeleteCommand];
    }

    /// <summary>A record by (collection, id): row_id, vector, document, metadata.</summary>
    public SqliteCommand Select { get; }

    /// <summary>A new record (collection, id, vector, document, metadata), returning its row_id.</summary>
    public SqliteCommand Insert { get; }

    /// <summary>A record's vector, document and metadata by row_id.</summary>
    public SqliteCommand Update { get; }

    /// <summary>A record by row_id.</summary>
    public SqliteCommand Delete { get; }

    /// <summary>A change row (collection, op, record), returning its sequence.</summary>
    public SqliteCommand Change { get; }

    /// <summary>The <c>metadata</c> table's rows of a record.</summary>
    public MetadataRows Metadata { get; }

    /// <summary>Points every statement at <paramref name="transaction"/> and at <paramref name="collection"/>.</summary>
    public WriteStatements Enlist(SqliteTransaction transaction, long collection)
    {
        foreach (var command in _all)
            command.Transaction = transaction;
        Select.Parameters[0].Value = collection;
        Insert.Parameters[0].Value = collection;
        Change.Parameters[0].Value = collection;
        Metadata.InsertCommand.Parameters[2].Value = collection;
        return this;
    }

    /// <summary>Logs a change of <paramref name="row"/>; its sequence.</summary>
    public long LogChange(ChangeOp op, long row)
    {
        Change.Parameters[1].Value = (int)op;
        Change.Parameters[2].Value = row;
        return (long)Change.ExecuteScalar()!;
    }

    public void Dispose()
    {
        foreach (var command in _all)
            command.Dispose();
    }

    /// <summary>A command on <paramref name="connection"/> with <paramref name="parameters"/> declared, unbound.</summary>
    internal static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameters)
            command.Parameters.Add(new SqliteParameter(name, null));
        return command;
    }
}

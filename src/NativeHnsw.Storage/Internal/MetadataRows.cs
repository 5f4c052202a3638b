using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The <c>metadata</c> table: one row per (record, key) with the value's kind and the value itself, indexed by
/// <c>(collection, key, kind, value)</c> so a filter reads an index range instead of every record's JSON. It is
/// derived from <c>records.metadata</c> (the JSON stays the source of what <c>Get</c> returns) and rewritten in the
/// same transaction as the record, so the two never disagree in a committed state.
/// </summary>
internal sealed class MetadataRows : IDisposable
{
    public const int StringKind = 0;
    public const int NumberKind = 1;
    public const int BoolKind = 2;

    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _delete;

    public MetadataRows(SqliteConnection connection, SqliteTransaction transaction, long collection)
    {
        _insert = connection.CreateCommand();
        _insert.Transaction = transaction;
        _insert.CommandText = "INSERT INTO metadata(record, key, collection, kind, value) VALUES (@r, @k, @c, @t, @v);";
        foreach (string name in new[] { "@r", "@k", "@c", "@t", "@v" })
            _insert.Parameters.Add(new SqliteParameter(name, null));
        _insert.Parameters[2].Value = collection;
        _delete = connection.CreateCommand();
        _delete.Transaction = transaction;
        _delete.CommandText = "DELETE FROM metadata WHERE record = @r;";
        _delete.Parameters.Add(new SqliteParameter("@r", null));
    }

    /// <summary>The kind column for a normalised value (string, long, double or bool).</summary>
    public static int KindOf(object value) => value switch
    {
        string => StringKind,
        bool => BoolKind,
        _ => NumberKind,
    };

    /// <summary>The value column for a normalised value: bools as 0/1, the rest as they are.</summary>
    public static object StoredValue(object value) => value is bool b ? (b ? 1L : 0L) : value;

    public void Insert(long record, IReadOnlyDictionary<string, object>? metadata)
    {
        if (metadata is null)
            return;
        _insert.Parameters[0].Value = record;
        foreach (var (key, value) in metadata)
        {
            _insert.Parameters[1].Value = key;
            _insert.Parameters[3].Value = KindOf(value);
            _insert.Parameters[4].Value = StoredValue(value);
            _insert.ExecuteNonQuery();
        }
    }

    public void Delete(long record)
    {
        _delete.Parameters[0].Value = record;
        _delete.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _delete.Dispose();
    }
}

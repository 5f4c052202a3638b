using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The <c>metadata</c> table: one row per (record, key) with the value's kind and the value itself, indexed by
/// <c>(collection, key, kind, value)</c> so a filter reads an index range instead of every record's JSON. It is
/// derived from <c>records.metadata</c> (the JSON stays the source of what <c>Get</c> returns) and rewritten in the
/// same transaction as the record, so the two never disagree in a committed state.
/// </summary>
internal sealed class MetadataRows
{
    public const int StringKind = 0;
    public const int NumberKind = 1;
    public const int BoolKind = 2;

    /// <param name="insert">INSERT INTO metadata(record, key, collection, kind, value) VALUES (@r, @k, @c, @t, @v), @c set by the owner.</param>
    /// <param name="delete">DELETE FROM metadata WHERE record = @r.</param>
    public MetadataRows(SqliteCommand insert, SqliteCommand delete)
    {
        InsertCommand = insert;
        DeleteCommand = delete;
    }

    /// <summary>Owned by <see cref="WriteStatements"/>, which enlists and disposes it.</summary>
    public SqliteCommand InsertCommand { get; }

    /// <summary>Owned by <see cref="WriteStatements"/>, which enlists and disposes it.</summary>
    public SqliteCommand DeleteCommand { get; }

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
        InsertCommand.Parameters[0].Value = record;
        foreach (var (key, value) in metadata)
        {
            InsertCommand.Parameters[1].Value = key;
            InsertCommand.Parameters[3].Value = KindOf(value);
            InsertCommand.Parameters[4].Value = StoredValue(value);
            InsertCommand.ExecuteNonQuery();
        }
    }

    public void Delete(long record)
    {
        DeleteCommand.Parameters[0].Value = record;
        DeleteCommand.ExecuteNonQuery();
    }
}

using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The reads of a store's content that a backup makes: the change sequence, the collections with their record counts
/// and sample ids, a collection's own metadata and its records. One home for both places that read them: a snapshot's
/// copied database (<see cref="StoreSnapshot"/>) and a read transaction on the store itself (<see cref="StoreReadView"/>),
/// so the two cannot drift apart in what a backup records.
/// </summary>
internal static class ContentQueries
{
    public static long Sequence(SqliteConnection connection, SqliteTransaction? transaction) =>
        StoreDatabase.Scalar<long>(connection, transaction, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0);");

    /// <summary>Every collection, by name (ordinal), with no checkpoint file; <paramref name="sampleIds"/> ids of each picked at random and sorted.</summary>
    public static List<CollectionSnapshot> Collections(SqliteConnection connection, SqliteTransaction? transaction, int sampleIds)
    {
        var found = new List<(string Name, long Id, CollectionOptions Options, long Records)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT c.id, c.name, {CollectionRows.Columns("c.")},
                       (SELECT COUNT(*) FROM records r WHERE r.collection = c.id)
                FROM collections c ORDER BY c.name;
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
                found.Add((reader.GetString(1), reader.GetInt64(0), CollectionRows.Read(reader, 2), reader.GetInt64(8)));
        }
        var collections = new List<CollectionSnapshot>(found.Count);
        foreach (var (name, id, options, records) in found)
        {
            var samples = new List<string>();
            using var sample = connection.CreateCommand();
            sample.Transaction = transaction;
            sample.CommandText = "SELECT id FROM records WHERE collection = @c ORDER BY random() LIMIT @n;";
            sample.Parameters.AddWithValue("@c", id);
            sample.Parameters.AddWithValue("@n", sampleIds);
            using (var ids = sample.ExecuteReader())
            {
                while (ids.Read())
                    samples.Add(ids.GetString(0));
            }
            samples.Sort(StringComparer.Ordinal);
            collections.Add(new CollectionSnapshot(name, id, options, records, samples, null));
        }
        // SQL's ORDER BY follows the column's collation; callers rely on ordinal order.
        collections.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return collections;
    }

    public static IReadOnlyDictionary<string, object>? CollectionMetadata(SqliteConnection connection, SqliteTransaction? transaction, CollectionSnapshot collection)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT metadata FROM collections WHERE id = @c;";
        command.Parameters.AddWithValue("@c", collection.Id);
        return MetadataValues.FromJson(command.ExecuteScalar() as string);
    }

    /// <summary>The collection's records in insertion order; <paramref name="databaseFile"/> names the file in errors.</summary>
    public static IEnumerable<StoredRecord> Records(SqliteConnection connection, SqliteTransaction? transaction, CollectionSnapshot collection, string databaseFile)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, vector, document, metadata FROM records WHERE collection = @c ORDER BY row_id;";
        command.Parameters.AddWithValue("@c", collection.Id);
        using var reader = command.ExecuteReader();
        int dims = collection.Options.Dimensions;
        while (reader.Read())
        {
            string id = reader.GetString(0);
            yield return new StoredRecord(
                id,
                VectorBlob.ToVector((byte[])reader[1], dims, $"{databaseFile}: collection '{collection.Name}', record '{id}'"),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                MetadataValues.FromJson(reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
    }
}

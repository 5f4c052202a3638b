using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A self-consistent copy of a store taken by <see cref="PersistentClient.CreateSnapshot"/>: its folder is a store
/// (open it with <see cref="PersistentClient"/>) holding exactly the changes up to <see cref="Sequence"/>.
/// </summary>
/// <param name="Folder">The snapshot's folder, as a full path.</param>
/// <param name="Sequence">The last change the snapshot holds (0 for a store that never changed).</param>
/// <param name="Collections">Every collection in the snapshot, by name (ordinal).</param>
/// <param name="Files">Every file of the snapshot, relative to <paramref name="Folder"/>, with '/' separators.</param>
public sealed record StoreSnapshot(string Folder, long Sequence, IReadOnlyList<CollectionSnapshot> Collections, IReadOnlyList<string> Files) : IStoreContent
{
    /// <summary>The collection's own metadata in the snapshot (as given at creation or by <see cref="Collection.Modify"/>), or null when none.</summary>
    public IReadOnlyDictionary<string, object>? ReadCollectionMetadata(CollectionSnapshot collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        using var connection = OpenDatabase(new StoreLayout(Folder));
        return ContentQueries.CollectionMetadata(connection, null, collection);
    }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Folder = ").Append(Folder).Append(", Sequence = ").Append(Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Collections = [").AppendJoin(", ", Collections.Select(c => c.Name)).Append("], Files = ");
        Printing.List(builder, Files);
        return true;
    }

    /// <summary>
    /// Every record of one collection of the snapshot (id, vector, document, metadata), in insertion order, read from
    /// the snapshot's database without opening it as a store (no index is loaded). Valid until the folder is changed.
    /// </summary>
    public IEnumerable<StoredRecord> ReadRecords(CollectionSnapshot collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return Read(collection);
    }

    private IEnumerable<StoredRecord> Read(CollectionSnapshot collection)
    {
        var layout = new StoreLayout(Folder);
        using var connection = OpenDatabase(layout);
        foreach (var record in ContentQueries.Records(connection, null, collection, layout.DatabaseFile))
            yield return record;
    }

    /// <summary>The snapshot's database, read-only and unpooled (the folder may be moved or deleted once read).</summary>
    private static SqliteConnection OpenDatabase(StoreLayout layout)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}

namespace NativeHnsw.Storage;

/// <summary>
/// A store's content as of one change sequence, as a backup reads it: the collections and, per collection, its own
/// metadata and its records. A <see cref="StoreSnapshot"/> reads it from its copied database; a
/// <see cref="StoreReadView"/> from the store itself, inside one read transaction.
/// </summary>
public interface IStoreContent
{
    /// <summary>The last change the content holds (0 for a store that never changed).</summary>
    long Sequence { get; }

    /// <summary>Every collection, by name (ordinal).</summary>
    IReadOnlyList<CollectionSnapshot> Collections { get; }

    /// <summary>The collection's own metadata (as given at creation or by <see cref="Collection.Modify"/>), or null when none.</summary>
    IReadOnlyDictionary<string, object>? ReadCollectionMetadata(CollectionSnapshot collection);

    /// <summary>Every record of the collection (id, vector, document, metadata), in insertion order, read without loading its index.</summary>
    IEnumerable<StoredRecord> ReadRecords(CollectionSnapshot collection);
}

namespace NativeHnsw.Storage;

/// <summary>
/// A write was committed to the database, but bringing the collection's HNSW index up to date afterwards failed (out
/// of memory, say). Unlike every <see cref="StoreException"/>, this one means the store DID change: the records are
/// durable and <c>Get</c> on a reopened store returns them; what was lost is only the in-memory index, which no longer
/// matches the database. It therefore does not derive from <see cref="StoreException"/>, so a handler that treats a
/// store error as "nothing happened, retry" does not catch it by accident.
/// </summary>
/// <remarks>
/// The collection refuses further work (with a <see cref="StoreException"/>) until the client is disposed and the
/// store reopened, which rebuilds the index from the database. Retrying the write is safe for upserts and updates; an
/// add of the same ids would be refused, because they exist.
/// </remarks>
public sealed class IndexUpdateFailedException : Exception
{
    public IndexUpdateFailedException(string storePath, string collection, Exception innerException)
        : base($"{storePath}: collection '{collection}': the change was committed to the database, but updating the index failed ({innerException.Message}); "
            + "the records are stored, but dispose the client and reopen the store to rebuild the index before querying.", innerException)
    {
        StorePath = storePath;
        Collection = collection;
    }

    public string StorePath { get; }

    public string Collection { get; }
}

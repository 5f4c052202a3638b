namespace NativeHnsw.Storage;

/// <summary>
/// A collection was opened with an embedding generator whose identity (model id, dimensions) differs from the one its
/// vectors came from. Nothing was changed; open it with the original generator, or ask for a re-embed.
/// </summary>
public sealed class EmbeddingMismatchException : StoreException
{
    public EmbeddingMismatchException(string storePath, string collection, EmbeddingIdentity? stored, EmbeddingIdentity given)
        : base($"{storePath}: collection '{collection}' holds embeddings of {(stored is null ? "no embedding generator (its vectors were given by the caller)" : stored.ToString())}, "
            + $"but was opened with {given}; open it with the same generator, or pass reembed: true to re-embed every stored document with the new one.")
    {
        Collection = collection;
        Stored = stored;
        Given = given;
    }

    public string Collection { get; }

    /// <summary>The identity stored with the collection; null when its vectors were never generated.</summary>
    public EmbeddingIdentity? Stored { get; }

    public EmbeddingIdentity Given { get; }
}

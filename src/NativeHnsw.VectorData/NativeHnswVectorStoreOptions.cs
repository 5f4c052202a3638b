using Microsoft.Extensions.AI;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>Options of a <see cref="NativeHnswVectorStore"/>.</summary>
public sealed class NativeHnswVectorStoreOptions
{
    /// <summary>The generator for vector properties that hold text (or other input) rather than vectors, unless a collection or property names its own.</summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>
    /// For the collections this store hands out: re-embed a generator-backed collection whose stored generator identity
    /// differs from its generator's, instead of refusing it (see <see cref="NativeHnswCollectionOptions.Reembed"/>). Default false.
    /// </summary>
    public bool Reembed { get; set; }

    /// <summary>How the store is opened when the vector store opens it from a path.</summary>
    public StoreOptions? StoreOptions { get; set; }
}

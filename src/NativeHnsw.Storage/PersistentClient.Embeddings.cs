using System.Globalization;
using Microsoft.Extensions.AI;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

public sealed partial class PersistentClient
{
    /// <summary>
    /// Creates a collection whose documents (Add, Upsert, Update without embeddings) and query texts are embedded by
    /// <paramref name="embeddingGenerator"/>. Its dimensions are the generator's (<see cref="CollectionOptions.Dimensions"/>
    /// 0, or options left out, takes them; another value must agree), and the generator's identity is stored with it
    /// (see <see cref="EmbeddingIdentity"/>). Other options and metadata as in
    /// <see cref="CreateCollection(string, CollectionOptions, IReadOnlyDictionary{string, object?}?)"/>.
    /// </summary>
    /// <remarks>The synchronous methods wait for the generator on a thread-pool thread; AddAsync, UpsertAsync, UpdateAsync and QueryAsync await it.</remarks>
    /// <exception cref="CollectionExistsException">A collection of that name exists.</exception>
    /// <exception cref="ArgumentException">Options whose dimensions differ from the generator's, or a bad name, option or metadata entry.</exception>
    public Collection CreateCollection(string name, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator,
        CollectionOptions? options = null, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ThrowIfDisposed();
        var embedder = Embedder.Create(embeddingGenerator, $"{Path}: collection '{name}'");
        return CreateCollection(name, WithDimensions(name, options, embedder), metadata, embedder);
    }

    /// <summary>
    /// The collection of that name, with <paramref name="embeddingGenerator"/> attached to its handle (the client's one
    /// handle of it, so later <see cref="GetCollection(string)"/> calls share it). The generator's identity must be the
    /// one stored with the collection; with <paramref name="reembed"/>, a different one is accepted and every stored
    /// document is re-embedded with it (refused when a record has no document), which retires earlier handles.
    /// </summary>
    /// <exception cref="CollectionNotFoundException">There is none.</exception>
    /// <exception cref="EmbeddingMismatchException">The stored identity differs and <paramref name="reembed"/> is false; the message names both.</exception>
    public Collection GetCollection(string name, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, bool reembed = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        var embedder = Embedder.Create(embeddingGenerator, $"{Path}: collection '{name}'");
        return Attach(GetCollection(name), embedder, reembed);
    }

    /// <summary>
    /// Get-or-create with an embedding generator: the existing collection (its options and the generator's identity
    /// checked, as in <see cref="GetCollection(string, IEmbeddingGenerator{string, Embedding{float}}, bool)"/>), or a new one
    /// as in <see cref="CreateCollection(string, IEmbeddingGenerator{string, Embedding{float}}, CollectionOptions?, IReadOnlyDictionary{string, object?}?)"/>.
    /// </summary>
    /// <exception cref="CollectionExistsException">It exists with other options.</exception>
    /// <exception cref="EmbeddingMismatchException">It exists with another generator identity and <paramref name="reembed"/> is false.</exception>
    public Collection GetOrCreateCollection(string name, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator,
        CollectionOptions? options = null, IReadOnlyDictionary<string, object?>? metadata = null, bool reembed = false)
    {
        ValidateName(name);
        ThrowIfDisposed();
        var embedder = Embedder.Create(embeddingGenerator, $"{Path}: collection '{name}'");
        var resolved = WithDimensions(name, options, embedder);
        var existing = TryOpen(name);
        if (existing is null)
        {
            try
            {
                return CreateCollection(name, resolved, metadata, embedder);
            }
            catch (CollectionExistsException)
            {
                existing = TryOpen(name);
                if (existing is null)
                    throw;
            }
        }
        var effective = CollectionMetadata.Apply(name, resolved, metadata, out _);
        // A re-embed may change the dimensions; the other options must agree either way.
        if (existing.Options with { Dimensions = effective.Dimensions } != effective)
            throw new CollectionExistsException(Path, name, $"exists with other options ({existing.Options}) than the ones asked for ({effective}).");
        return Attach(existing, embedder, reembed);
    }

    private Collection Attach(Collection collection, Embedder embedder, bool reembed)
    {
        if (collection.EmbeddingIdentity == embedder.Identity)
        {
            collection.SetEmbedder(embedder);
            return collection;
        }
        if (!reembed)
            throw new EmbeddingMismatchException(Path, collection.Name, collection.EmbeddingIdentity, embedder.Identity);
        string name = collection.Name;
        ThrowIfReadOnly($"re-embedding collection '{name}'");
        var stored = collection.EmbeddingIdentity;
        collection.Reembed(embedder);
        lock (_gate)
        {
            if (_open.TryGetValue(name, out var cached) && ReferenceEquals(cached, collection))
            {
                _open.Remove(name);
                PublishOpenLocked();
            }
        }
        WriteLog(string.Create(CultureInfo.InvariantCulture,
            $"collection '{name}': re-embedded with {embedder.Identity} (was {(stored is null ? "caller-given vectors" : stored.ToString())})"));
        var fresh = GetCollection(name);
        fresh.SetEmbedder(embedder);
        return fresh;
    }

    private static CollectionOptions WithDimensions(string name, CollectionOptions? options, Embedder embedder)
    {
        int dims = embedder.Identity.Dimensions;
        if (options is null)
            return new CollectionOptions { Dimensions = dims };
        if (options.Dimensions == 0)
            return options with { Dimensions = dims };
        if (options.Dimensions != dims)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"collection '{name}': the options ask for {options.Dimensions} dimensions, but the embedding generator's {embedder.Identity} makes {dims}; leave Dimensions 0 to take the generator's."), nameof(options));
        }
        return options;
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData vector store over a NativeHnsw store folder (<see cref="PersistentClient"/>).
/// </summary>
/// <remarks>
/// Opened from a path, it owns the client (and the store's lock) and disposes it; given a client, the client stays
/// the caller's. Thread-safe, as the client is.
/// </remarks>
public sealed class NativeHnswVectorStore : VectorStore
{
    /// <summary>The name reported in <see cref="VectorStoreMetadata.VectorStoreSystemName"/> and in exceptions.</summary>
    public const string SystemName = "nativehnsw";

    private readonly PersistentClient _client;
    private readonly bool _ownsClient;
    private readonly NativeHnswVectorStoreOptions _options;
    private readonly VectorStoreMetadata _metadata;

    /// <summary>Opens (creating when absent) the store in <paramref name="path"/>.</summary>
    /// <exception cref="StoreLockedException">Another client has the store open.</exception>
    public NativeHnswVectorStore(string path, NativeHnswVectorStoreOptions? options = null)
        : this(new PersistentClient(path, options?.StoreOptions), ownsClient: true, options)
    {
    }

    /// <summary>A vector store over an open client, which the caller keeps and disposes.</summary>
    public NativeHnswVectorStore(PersistentClient client, NativeHnswVectorStoreOptions? options = null)
        : this(client, ownsClient: false, options)
    {
    }

    private NativeHnswVectorStore(PersistentClient client, bool ownsClient, NativeHnswVectorStoreOptions? options)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _options = options ?? new NativeHnswVectorStoreOptions();
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = client.Path };
    }

    /// <summary>The client underneath, for what the abstraction does not cover (snapshots, backups, checkpoints).</summary>
    public PersistentClient Client => _client;

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new NativeHnswCollection<TKey, TRecord>(_client, name, new NativeHnswCollectionOptions { Definition = definition, Reembed = _options.Reembed }, _options.EmbeddingGenerator);

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new NativeHnswCollection<object, Dictionary<string, object?>>(_client, name, new NativeHnswCollectionOptions { Definition = definition, Reembed = _options.Reembed }, _options.EmbeddingGenerator);
    }

    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (string name in _client.ListCollections())
            yield return name;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_client.ListCollections().Contains(name, StringComparer.Ordinal));
    }

    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            _client.DeleteCollection(name);
        }
        catch (CollectionNotFoundException)
        {
            // Absent already: that is what was asked for.
        }
        return Task.CompletedTask;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(PersistentClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsClient)
            _client.Dispose();
        base.Dispose(disposing);
    }
}

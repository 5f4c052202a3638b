using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData collection over one durable NativeHnsw collection (see docs/AI.md for the mapping).
/// Keys are string, Guid, int or long (<c>object</c> for a dynamic collection, whose records are
/// <c>Dictionary&lt;string, object?&gt;</c>); each record has exactly one vector.
/// </summary>
/// <remarks>
/// <para>A vector property of type string with an <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> makes a
/// generator-backed store collection: it is created with the generator, so the generator's identity (model id,
/// dimensions) is stored with it and checked whenever the collection is opened (a different one is refused, unless
/// <see cref="NativeHnswCollectionOptions.Reembed"/>), and the collection itself embeds the strings on upsert (kept as
/// the records' documents) and the search texts. Other input types are embedded through the abstraction's generator
/// and stored as given vectors.</para>
/// Upsert replaces a record's vector and every property the schema names (a null property removes its metadata entry);
/// metadata keys written by other clients and not in the schema are kept. Failures of the store come out as
/// <see cref="VectorStoreException"/> with the store's exception inside; bad arguments, unsupported filters and
/// options as <see cref="ArgumentException"/> and <see cref="NotSupportedException"/>.
/// </remarks>
public sealed class NativeHnswCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly PersistentClient _client;
    private readonly NativeHnswCollectionOptions _options;
    private readonly RecordMapper _mapper;
    private readonly VectorStoreCollectionMetadata _metadata;

    // Set when the collection embeds the vector property's strings itself (see the remarks).
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _documentGenerator;

    // The store handle the generator was last attached to: the client keeps one handle per collection, so while it
    // returns this one, the generator is on it and its identity has been checked.
    private Collection? _attached;

    /// <summary>A collection of <paramref name="client"/>'s store; the client stays the caller's to dispose.</summary>
    public NativeHnswCollection(PersistentClient client, string name, NativeHnswCollectionOptions? options = null)
        : this(client, name, options, null)
    {
    }

    internal NativeHnswCollection(PersistentClient client, string name, NativeHnswCollectionOptions? options, IEmbeddingGenerator? storeGenerator)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _client = client;
        _options = options ?? new NativeHnswCollectionOptions();
        Name = name;
        var generator = _options.EmbeddingGenerator ?? storeGenerator;
        CollectionModel model;
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            if (typeof(TKey) != typeof(object))
                throw new NotSupportedException(VectorDataStrings.NonDynamicCollectionWithDictionaryNotSupported(typeof(NativeHnswCollection<object, Dictionary<string, object?>>)));
            var definition = _options.Definition ?? throw new ArgumentException("a dynamic collection needs a VectorStoreCollectionDefinition.", nameof(options));
            model = new NativeHnswModelBuilder().BuildDynamic(definition, generator);
        }
        else
        {
            model = new NativeHnswModelBuilder().Build(typeof(TRecord), typeof(TKey), _options.Definition, generator);
        }
        _mapper = new RecordMapper(model, name);
        _documentGenerator = _mapper.GeneratesEmbeddings && (Nullable.GetUnderlyingType(_mapper.Vector.Type) ?? _mapper.Vector.Type) == typeof(string)
            ? _mapper.Vector.EmbeddingGenerator as IEmbeddingGenerator<string, Embedding<float>>
            : null;
        _metadata = new VectorStoreCollectionMetadata
        {
            VectorStoreSystemName = NativeHnswVectorStore.SystemName,
            VectorStoreName = client.Path,
            CollectionName = name,
        };
    }

    public override string Name { get; }

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Run("CollectionExists", () => _client.ListCollections().Contains(Name, StringComparer.Ordinal)));
    }

    /// <summary>
    /// Creates the collection with the vector property's dimensions and distance function, when there is none; a
    /// generator-backed one is created with its generator (see the remarks on the class).
    /// </summary>
    /// <exception cref="VectorStoreException">It exists with other dimensions or another metric, or (generator-backed) with
    /// embeddings of another generator identity; the property's dimensions differ from the generator's.</exception>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new CollectionOptions
        {
            Dimensions = _mapper.Vector.Dimensions,
            Metric = DistanceMapping.Metric(_mapper.Vector.DistanceFunction),
            M = _options.M,
            EfConstruction = _options.EfConstruction,
            DefaultEf = _options.DefaultEf,
        };
        Run("EnsureCollectionExists", () =>
        {
            var existing = _client.ListCollections().Contains(Name, StringComparer.Ordinal) ? Store() : null;
            if (existing is null)
            {
                try
                {
                    if (_documentGenerator is null)
                    {
                        _client.CreateCollection(Name, options);
                    }
                    else
                    {
                        _attached = Created(options);
                    }
                }
                catch (CollectionExistsException)
                {
                    existing = Store();
                }
            }
            if (existing is not null && (existing.Options.Dimensions != options.Dimensions || existing.Options.Metric != options.Metric))
                throw new VectorStoreException($"collection '{Name}' exists with {existing.Options.Dimensions} dimensions and metric {existing.Options.Metric}; "
                    + $"the record definition asks for {options.Dimensions} and {options.Metric}.")
                {
                    VectorStoreSystemName = NativeHnswVectorStore.SystemName,
                    VectorStoreName = _client.Path,
                    CollectionName = Name,
                    OperationName = "EnsureCollectionExists",
                };
            return 0;
        });
        return Task.CompletedTask;
    }

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Run("EnsureCollectionDeleted", () =>
        {
            try
            {
                _client.DeleteCollection(Name);
            }
            catch (CollectionNotFoundException)
            {
                // Already gone: the method ensures absence, it does not require presence.
            }
            return 0;
        });
        return Task.CompletedTask;
    }

    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        bool vectors = IncludeVectors(options?.IncludeVectors ?? false);
        string id = KeyCodec.Encode(key, _mapper.Key.Type);
        var found = Run("Get", () => Store().Get([id], include: Includes(vectors)));
        return Task.FromResult(found.Count == 0 ? null : Read(found[0], vectors));
    }

    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        bool vectors = IncludeVectors(options?.IncludeVectors ?? false);
        var ids = keys.Select(k => KeyCodec.Encode(k, _mapper.Key.Type)).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
            yield break;
        cancellationToken.ThrowIfCancellationRequested();
        var found = Run("Get", () => Store().Get(ids, include: Includes(vectors)));
        foreach (var record in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Read(record, vectors);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The records matching <paramref name="filter"/>, in insertion order, after <c>Skip</c>, at most <paramref name="top"/>.</summary>
    /// <exception cref="NotSupportedException">The filter cannot be translated (the message names the expression), or an order was asked for.</exception>
    public override async IAsyncEnumerable<TRecord> GetAsync(System.Linq.Expressions.Expression<Func<TRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip);
        if (options.OrderBy is { } orderBy && orderBy(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values.Count > 0)
            throw new NotSupportedException("NativeHnsw returns filtered records in insertion order; OrderBy is not supported.");
        bool vectors = IncludeVectors(options.IncludeVectors);
        var translated = new FilterTranslator().Translate(filter, _mapper.Model);
        if (translated.MatchesNothing)
            yield break;
        cancellationToken.ThrowIfCancellationRequested();
        var found = Run("Get", () => Store().Get(where: translated.Where, limit: top, offset: options.Skip, include: Includes(vectors)));
        foreach (var record in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Read(record, vectors);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync([key], cancellationToken);
    }

    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var ids = keys.Select(k => KeyCodec.Encode(k, _mapper.Key.Type)).ToArray();
        if (ids.Length > 0)
            Run("Delete", () => Store().Delete(ids));
        return Task.CompletedTask;
    }

    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <summary>
    /// Upserts the records in one transaction (all or none). When the vector property is a string, the strings are
    /// embedded in one batch by the configured generator and kept as the records' documents. A Guid key left empty
    /// on an auto-generated key property gets a new Guid, written back to the record. When the batch holds a key
    /// twice, the last record wins.
    /// </summary>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var batch = records.ToList();
        if (batch.Count == 0)
            return;
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i] is null)
                throw new ArgumentException($"collection '{Name}': record {i} is null.", nameof(records));
            if (_mapper.Key.IsAutoGenerated && _mapper.Key.Type == typeof(Guid) && _mapper.Key.GetValueAsObject(batch[i]) is Guid g && g == Guid.Empty)
                _mapper.Key.SetValueAsObject(batch[i], Guid.NewGuid());
        }
        // Last occurrence of a key wins, as a sequence of single upserts would have it.
        var last = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        for (int i = 0; i < batch.Count; i++)
            last[_mapper.Id(batch[i])] = i;
        var keep = last.Values.Order().ToArray();
        var ids = new string[keep.Length];
        var vectors = new float[keep.Length][];
        var metadatas = new IReadOnlyDictionary<string, object?>?[keep.Length];
        string?[]? documents = null;
        for (int j = 0; j < keep.Length; j++)
        {
            ids[j] = _mapper.Id(batch[keep[j]]);
            metadatas[j] = _mapper.Metadata(batch[keep[j]]);
        }
        if (_documentGenerator is not null)
        {
            documents = new string?[keep.Length];
            for (int j = 0; j < keep.Length; j++)
            {
                documents[j] = _mapper.Vector.GetValueAsObject(batch[keep[j]]) as string is { } text && !string.IsNullOrWhiteSpace(text) ? text
                    : throw new ArgumentException($"collection '{Name}': record {keep[j]} has no text to embed in '{_mapper.Vector.ModelName}'.", nameof(records));
            }
            // The store collection embeds the documents with its generator, in one call for the batch.
            await RunAsync("Upsert", () => Store().UpsertAsync(ids, null, documents, metadatas, cancellationToken)).ConfigureAwait(false);
            return;
        }
        if (_mapper.GeneratesEmbeddings)
        {
            var sources = keep.Select(i => _mapper.Vector.GetValueAsObject(batch[i])
                ?? throw new ArgumentException($"collection '{Name}': record {i} has nothing to embed in '{_mapper.Vector.ModelName}'.", nameof(records))).ToArray();
            var generated = await _mapper.Vector.GenerateEmbeddingsAsync(sources, cancellationToken).ConfigureAwait(false);
            if (generated.Count != sources.Length)
                throw new VectorStoreException($"collection '{Name}': the embedding generator returned {generated.Count} embeddings for {sources.Length} inputs.");
            for (int j = 0; j < keep.Length; j++)
            {
                vectors[j] = generated[j] is Embedding<float> e ? e.Vector.ToArray()
                    : throw new VectorStoreException($"collection '{Name}': the embedding generator returned {generated[j].GetType().Name}; NativeHnsw stores Embedding<float>.");
                if (vectors[j].Length != _mapper.Vector.Dimensions)
                    throw new VectorStoreException($"collection '{Name}': the embedding generator returned {vectors[j].Length} dimensions; property '{_mapper.Vector.ModelName}' has {_mapper.Vector.Dimensions}.");
            }
            documents = [.. sources.Select(s => s as string)];
        }
        else
        {
            for (int j = 0; j < keep.Length; j++)
                vectors[j] = _mapper.StoredVector(batch[keep[j]], keep[j]);
        }
        cancellationToken.ThrowIfCancellationRequested();
        Run("Upsert", () =>
        {
            Store().Upsert(ids, vectors, documents, metadatas);
            return 0;
        });
    }

    /// <summary>
    /// The <paramref name="top"/> records nearest to <paramref name="searchValue"/> (a vector, or — with an embedding
    /// generator — a value to embed), after <c>Skip</c>, with scores in the vector property's distance function; a
    /// <c>ScoreThreshold</c> drops similarities below it, or distances above it.
    /// </summary>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip);
        var property = _mapper.Model.GetVectorPropertyOrSingle(options);
        bool vectors = IncludeVectors(options.IncludeVectors);
        var translated = options.Filter is null ? TranslatedFilter.All : new FilterTranslator().Translate(options.Filter, _mapper.Model);
        if (translated.MatchesNothing)
            yield break;
        int k = checked(top + options.Skip);
        IReadOnlyList<QueryHit> hits;
        if (_documentGenerator is not null && searchValue is string text)
        {
            // The store collection embeds the text with the generator whose identity it checked.
            var results = await RunAsync("Search", () => Store().QueryAsync([text], k, translated.Where, Includes(vectors) | Storage.Include.Distances, 0, cancellationToken)).ConfigureAwait(false);
            hits = results[0];
        }
        else
        {
            float[] query = await QueryVector(searchValue, property, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            hits = Run("Search", () => Store().Query(query, k, translated.Where, Includes(vectors) | Storage.Include.Distances));
        }
        string? function = property.DistanceFunction;
        foreach (var hit in hits.Skip(options.Skip))
        {
            cancellationToken.ThrowIfCancellationRequested();
            double score = DistanceMapping.Score(function, hit.Distance);
            if (!DistanceMapping.PassesThreshold(function, score, options.ScoreThreshold))
                continue;
            yield return new VectorSearchResult<TRecord>(_mapper.Read<TRecord>(hit.Id, hit.Embedding, hit.Metadata, vectors, hit.Document), score);
        }
    }

    private async Task<float[]> QueryVector<TInput>(TInput searchValue, VectorPropertyModel property, CancellationToken cancellationToken) =>
        searchValue switch
        {
            ReadOnlyMemory<float> m => m.ToArray(),
            float[] a => a,
            Embedding<float> e => e.Vector.ToArray(),
            _ when property.EmbeddingGenerator is not null =>
                await property.GenerateEmbeddingAsync(searchValue, cancellationToken).ConfigureAwait(false) is Embedding<float> generated
                    ? generated.Vector.ToArray()
                    : throw new VectorStoreException($"collection '{Name}': the embedding generator did not return Embedding<float>."),
            _ => throw new NotSupportedException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(typeof(TInput), NativeHnswModelBuilder.SupportedVectorTypes)),
        };

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(PersistentClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private bool IncludeVectors(bool asked)
    {
        if (asked && _mapper.GeneratesEmbeddings)
            throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration);
        return asked;
    }

    // A generator-backed collection reads its documents too: they are the string vector property's values.
    private Include Includes(bool vectors) => Storage.Include.Metadatas
        | (vectors ? Storage.Include.Embeddings : Storage.Include.None)
        | (_documentGenerator is null ? Storage.Include.None : Storage.Include.Documents);

    private TRecord Read(StoredRecord stored, bool vectors) => _mapper.Read<TRecord>(stored.Id, stored.Embedding, stored.Metadata, vectors, stored.Document);

    /// <summary>The client's handle of the collection; a generator-backed one with the generator attached (its identity checked).</summary>
    private Collection Store()
    {
        var current = _client.GetCollection(Name);
        if (_documentGenerator is null || ReferenceEquals(current, Volatile.Read(ref _attached)))
            return current;
        var attached = _client.GetCollection(Name, _documentGenerator, _options.Reembed);
        Volatile.Write(ref _attached, attached);
        return attached;
    }

    // The store checks the property's dimensions against the generator's and refuses a mismatch before writing.
    private Collection Created(CollectionOptions options) => _client.CreateCollection(Name, _documentGenerator!, options);

    private T Run<T>(string operation, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (StoreException e)
        {
            throw Failure(operation, e);
        }
    }

    private async Task<T> RunAsync<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            throw Failure(operation, e);
        }
    }

    private Task RunAsync(string operation, Func<Task> action) => RunAsync(operation, async () =>
    {
        await action().ConfigureAwait(false);
        return 0;
    });

    private VectorStoreException Failure(string operation, StoreException e) =>
        new($"NativeHnsw {operation} on collection '{Name}' failed: {e.Message}", e)
        {
            VectorStoreSystemName = NativeHnswVectorStore.SystemName,
            VectorStoreName = _client.Path,
            CollectionName = Name,
            OperationName = operation,
        };
}

using Microsoft.Extensions.AI;

namespace NativeHnsw.Storage.Internal;

/// <summary>A collection's embedding generator with its resolved identity: the one place the store calls a generator.</summary>
internal sealed class Embedder
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;

    private Embedder(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingIdentity identity)
    {
        _generator = generator;
        Identity = identity;
    }

    public EmbeddingIdentity Identity { get; }

    /// <summary>
    /// Resolves the generator's identity from its metadata; when it states no dimensions, one probe text is embedded to
    /// learn them (so the collection's dimensions are known before its first record).
    /// </summary>
    public static Embedder Create(IEmbeddingGenerator<string, Embedding<float>> generator, string where)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        string model = metadata?.DefaultModelId is { Length: > 0 } id ? id
            : metadata?.ProviderName is { Length: > 0 } provider ? provider
            : generator.GetType().FullName ?? generator.GetType().Name;
        int dimensions = metadata?.DefaultModelDimensions ?? 0;
        if (dimensions <= 0)
        {
            var probe = Wait(generator, ["dimension probe"], where);
            dimensions = probe[0].Length;
            if (dimensions <= 0)
                throw new StoreException($"{where}: the embedding generator ({model}) returned an empty embedding for a probe text.");
        }
        return new Embedder(generator, new EmbeddingIdentity(model, dimensions));
    }

    /// <summary>
    /// The embeddings of <paramref name="texts"/>, in order. The synchronous store API waits for the generator on a
    /// thread-pool thread, so a caller's synchronization context (UI, old ASP.NET) cannot deadlock the wait.
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> texts, string where) => Wait(_generator, texts, where);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, string where, CancellationToken cancellationToken)
    {
        var embeddings = await _generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Vectors(embeddings, texts.Count, where);
    }

    private static float[][] Wait(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, string where)
    {
        var embeddings = Task.Run(() => generator.GenerateAsync(texts)).GetAwaiter().GetResult();
        return Vectors(embeddings, texts.Count, where);
    }

    private static float[][] Vectors(GeneratedEmbeddings<Embedding<float>>? embeddings, int expected, string where)
    {
        if (embeddings is null || embeddings.Count != expected)
            throw new StoreException($"{where}: the embedding generator returned {embeddings?.Count ?? 0} embeddings for {expected} texts; nothing was written.");
        var vectors = new float[expected][];
        for (int i = 0; i < expected; i++)
            vectors[i] = embeddings[i]?.Vector.ToArray() ?? [];
        return vectors;
    }
}

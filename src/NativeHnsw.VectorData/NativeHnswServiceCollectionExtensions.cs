using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData;

/// <summary>Dependency-injection registration of a <see cref="NativeHnswVectorStore"/>.</summary>
public static class NativeHnswServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="NativeHnswVectorStore"/> over the store in <paramref name="path"/> as a singleton, as
    /// itself and as <see cref="VectorStore"/>. It is opened on first use and disposed with the container. Without an
    /// embedding generator in <paramref name="options"/>, the container's <see cref="IEmbeddingGenerator"/> or
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (when it has one) generates embeddings.
    /// </summary>
    public static IServiceCollection AddNativeHnswVectorStore(this IServiceCollection services, string path, NativeHnswVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(path);
        services.AddSingleton(sp =>
        {
            var effective = new NativeHnswVectorStoreOptions
            {
                // Microsoft.Extensions.AI's AddEmbeddingGenerator registers the typed interface; accept either.
                EmbeddingGenerator = options?.EmbeddingGenerator ?? sp.GetService<IEmbeddingGenerator>() ?? sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>(),
                StoreOptions = options?.StoreOptions,
                Reembed = options?.Reembed ?? false,
            };
            return new NativeHnswVectorStore(path, effective);
        });
        services.AddSingleton<VectorStore>(sp => sp.GetRequiredService<NativeHnswVectorStore>());
        return services;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData.Tests;

public sealed class DependencyInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddNativeHnswVectorStore_RegistersOneStoreUsingTheContainersGenerator()
    {
        using var dir = new TempDirectory();
        var generator = new LetterEmbeddingGenerator();
        var services = new ServiceCollection()
            .AddSingleton<IEmbeddingGenerator>(generator)
            .AddNativeHnswVectorStore(dir.File("store"));
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<VectorStore>();
            Assert.Same(provider.GetRequiredService<NativeHnswVectorStore>(), store);
            var texts = store.GetCollection<int, TextRecord>("texts");
            await texts.EnsureCollectionExistsAsync(Ct);
            await texts.UpsertAsync(new TextRecord { Id = 1, Topic = "t", Text = "hello" }, Ct);
            Assert.Equal(1, generator.Calls);
        }
        // Disposing the container disposed the store and released its lock: it opens again.
        using var again = new NativeHnswVectorStore(dir.File("store"));
        Assert.True(await again.CollectionExistsAsync("texts", Ct));
    }

    [Fact]
    public async Task AddNativeHnswVectorStore_UsesATypedGeneratorOfTheContainer()
    {
        using var dir = new TempDirectory();
        var generator = new LetterEmbeddingGenerator("typed-letters");
        var services = new ServiceCollection()
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator)
            .AddNativeHnswVectorStore(dir.File("store"));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<NativeHnswVectorStore>();
        var texts = store.GetCollection<int, TextRecord>("texts");
        await texts.EnsureCollectionExistsAsync(Ct);
        await texts.UpsertAsync(new TextRecord { Id = 1, Topic = "t", Text = "hello" }, Ct);
        Assert.Equal(1, generator.Calls);
        Assert.Equal("typed-letters", store.Client.GetCollection("texts").EmbeddingIdentity!.ModelId);
    }

    [Fact]
    public void AddNativeHnswVectorStore_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => NativeHnswServiceCollectionExtensions.AddNativeHnswVectorStore(null!, "x"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddNativeHnswVectorStore(""));
    }
}

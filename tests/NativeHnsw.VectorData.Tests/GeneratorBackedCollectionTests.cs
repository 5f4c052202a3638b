using Microsoft.Extensions.VectorData;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData.Tests;

/// <summary>
/// A string vector property makes a generator-backed store collection: the generator's identity is stored with it and
/// checked on every open, and the store collection (not the connector) embeds documents and search texts.
/// </summary>
public sealed class GeneratorBackedCollectionTests : StoreTest
{
    private static readonly TextRecord[] s_records =
    [
        new() { Id = 1, Topic = "a", Text = "aaaa bbbb" },
        new() { Id = 2, Topic = "b", Text = "zzzz yyyy" },
        new() { Id = 3, Topic = "a", Text = "aaab" },
    ];

    private static async Task<VectorStoreCollection<int, TextRecord>> Filled(NativeHnswVectorStore store)
    {
        var c = store.GetCollection<int, TextRecord>("texts");
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(s_records, Ct);
        return c;
    }

    [Fact]
    public async Task StringVector_StoresTheGeneratorIdentity_AndTheStoreCollectionEmbeds()
    {
        using var store = new NativeHnswVectorStore(Store.Client, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator() });
        await Filled(store);
        var handle = Store.Client.GetCollection("texts");
        Assert.Equal(new EmbeddingIdentity(LetterEmbeddingGenerator.DefaultModelId, LetterEmbeddingGenerator.Dimensions), handle.EmbeddingIdentity);
        // The client's handle carries the generator: it answers text queries itself, with the vectors it made.
        Assert.Equal(["3", "1"], handle.Query("aaa", 2).Select(h => h.Id));
        Assert.Equal(LetterEmbeddingGenerator.Embed("aaab"), handle.Get(["3"], include: Storage.Include.Embeddings)[0].Embedding);
    }

    [Fact]
    public async Task StringVector_ReadsBackAsTheStoredDocument()
    {
        using var store = new NativeHnswVectorStore(Store.Client, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator() });
        var c = await Filled(store);
        Assert.Equal("aaaa bbbb", (await c.GetAsync(1, cancellationToken: Ct))!.Text);
        var hit = await c.SearchAsync("zzz", 1, cancellationToken: Ct).SingleAsync(Ct);
        Assert.Equal((2, "zzzz yyyy"), (hit.Record.Id, hit.Record.Text));
        var filtered = await c.GetAsync(r => r.Topic == "a", 5, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["aaaa bbbb", "aaab"], filtered.Select(r => r.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task VectorProperty_CreatesACollectionWithoutAnIdentity()
    {
        var c = Store.GetCollection<string, Product>("products");
        await c.EnsureCollectionExistsAsync(Ct);
        Assert.Null(Store.Client.GetCollection("products").EmbeddingIdentity);
    }

    [Fact]
    public async Task Reopened_WithTheSameGenerator_SearchesWithoutEnsure()
    {
        string path = Dir.File("reopened");
        using (var first = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator() }))
            await Filled(first);
        using var second = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator() });
        var c = second.GetCollection<int, TextRecord>("texts");
        var hits = await c.SearchAsync("aaa", 2, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([3, 1], hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Reopened_WithAnotherGenerator_IsRefusedNamingBoth()
    {
        string path = Dir.File("other-model");
        using (var first = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator("letters-v1") }))
            await Filled(first);
        using var second = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator("letters-v2", reversed: true) });
        var c = second.GetCollection<int, TextRecord>("texts");
        foreach (var attempt in new Func<Task>[]
        {
            () => c.EnsureCollectionExistsAsync(Ct),
            () => c.SearchAsync("aaa", 1, cancellationToken: Ct).ToListAsync(Ct).AsTask(),
            () => c.UpsertAsync(new TextRecord { Id = 9, Text = "new" }, Ct),
        })
        {
            var e = await Assert.ThrowsAsync<VectorStoreException>(attempt);
            var mismatch = Assert.IsType<EmbeddingMismatchException>(e.InnerException);
            Assert.Equal("letters-v1", mismatch.Stored!.ModelId);
            Assert.Equal("letters-v2", mismatch.Given.ModelId);
            Assert.Contains("'letters-v1'", e.Message, StringComparison.Ordinal);
            Assert.Contains("'letters-v2'", e.Message, StringComparison.Ordinal);
        }
        // Nothing was changed: the first model still reads its own vectors.
        Assert.Equal(LetterEmbeddingGenerator.Embed("zzzz yyyy"), second.Client.GetCollection("texts").Get(["2"], include: Storage.Include.Embeddings)[0].Embedding);
    }

    [Fact]
    public async Task Reopened_WithAnotherGeneratorAndReembed_ReembedsEveryDocument()
    {
        string path = Dir.File("reembed");
        using (var first = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator("letters-v1") }))
            await Filled(first);
        var reversed = new LetterEmbeddingGenerator("letters-v2", reversed: true);
        using var second = new NativeHnswVectorStore(path, new NativeHnswVectorStoreOptions { EmbeddingGenerator = reversed, Reembed = true });
        var c = second.GetCollection<int, TextRecord>("texts");
        var hits = await c.SearchAsync("aaa", 2, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([3, 1], hits.Select(h => h.Record.Id));
        var handle = second.Client.GetCollection("texts");
        Assert.Equal("letters-v2", handle.EmbeddingIdentity!.ModelId);
        foreach (var record in s_records)
            Assert.Equal(LetterEmbeddingGenerator.Embed(record.Text, reversed: true), handle.Get([record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], include: Storage.Include.Embeddings)[0].Embedding);
    }

    [Fact]
    public async Task PropertyDimensions_OtherThanTheGenerators_AreRefusedBeforeAnyWrite()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(string)), new VectorStoreVectorProperty("Text", typeof(string), 8)],
        };
        using var store = new NativeHnswVectorStore(Store.Client, new NativeHnswVectorStoreOptions { EmbeddingGenerator = new LetterEmbeddingGenerator() });
        var c = store.GetDynamicCollection("wrong-dims", definition);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => c.EnsureCollectionExistsAsync(Ct));
        Assert.Contains("8 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Contains("26", e.Message, StringComparison.Ordinal);
        Assert.Empty(Store.Client.ListCollections());
    }
}

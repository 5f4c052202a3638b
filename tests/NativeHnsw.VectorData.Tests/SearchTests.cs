using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using NativeHnsw.Embeddings;

namespace NativeHnsw.VectorData.Tests;

public sealed class SearchTests : StoreTest
{
    private static readonly float[][] s_vectors =
    [
        [1, 0, 0], [0.9f, 0.1f, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [2, 2, 0], [0.5f, 0.5f, 0.5f],
    ];

    private static readonly float[] s_query = [1, 0.2f, 0];

    /// <summary>The score the abstraction defines for each distance function, in double precision.</summary>
    private static double Expected(string function, float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        }
        double cos = dot / Math.Sqrt(na * nb);
        return function switch
        {
            DistanceFunction.CosineSimilarity => cos,
            DistanceFunction.CosineDistance => 1 - cos,
            DistanceFunction.DotProductSimilarity => dot,
            DistanceFunction.NegativeDotProductSimilarity => -dot,
            DistanceFunction.EuclideanDistance => Math.Sqrt(l2),
            DistanceFunction.EuclideanSquaredDistance => l2,
            _ => throw new ArgumentOutOfRangeException(nameof(function)),
        };
    }

    private static bool HigherIsCloser(string function) => function is DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity;

    [Theory]
    [InlineData(DistanceFunction.CosineSimilarity)]
    [InlineData(DistanceFunction.CosineDistance)]
    [InlineData(DistanceFunction.DotProductSimilarity)]
    [InlineData(DistanceFunction.NegativeDotProductSimilarity)]
    [InlineData(DistanceFunction.EuclideanDistance)]
    [InlineData(DistanceFunction.EuclideanSquaredDistance)]
    public async Task Search_EachDistanceFunction_RanksAndScoresAsBruteForce(string function)
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(KeyedRecord<int>.Key), typeof(int)),
                new VectorStoreDataProperty(nameof(KeyedRecord<int>.Text), typeof(string)),
                new VectorStoreVectorProperty(nameof(KeyedRecord<int>.Vector), typeof(float[]), 3) { DistanceFunction = function },
            ],
        };
        var c = Store.GetCollection<int, KeyedRecord<int>>("by-" + function.ToLowerInvariant(), definition);
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(s_vectors.Select((v, i) => new KeyedRecord<int> { Key = i, Text = $"r{i}", Vector = v }), Ct);
        var hits = await c.SearchAsync(s_query, s_vectors.Length, cancellationToken: Ct).ToListAsync(Ct);
        var expected = s_vectors.Select((v, i) => (Key: i, Score: Expected(function, s_query, v)))
            .OrderBy(e => HigherIsCloser(function) ? -e.Score : e.Score).ToList();
        Assert.Equal(expected.Select(e => e.Key), hits.Select(h => h.Record.Key));
        for (int i = 0; i < hits.Count; i++)
            Assert.Equal(expected[i].Score, hits[i].Score!.Value, 4);

        // A threshold halfway down the ranking keeps exactly the better half.
        double threshold = (expected[2].Score + expected[3].Score) / 2;
        var kept = await c.SearchAsync(s_query, 10, new VectorSearchOptions<KeyedRecord<int>> { ScoreThreshold = threshold }, Ct).ToListAsync(Ct);
        Assert.Equal(expected.Take(3).Select(e => e.Key), kept.Select(h => h.Record.Key));
    }

    [Fact]
    public async Task Search_TopSkipIncludeVectors_Behave()
    {
        var c = Store.GetCollection<int, KeyedRecord<int>>("paging");
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(s_vectors.Select((v, i) => new KeyedRecord<int> { Key = i, Text = $"r{i}", Vector = v }), Ct);
        var all = await c.SearchAsync(new ReadOnlyMemory<float>(s_query), 7, cancellationToken: Ct).Select(h => h.Record.Key).ToListAsync(Ct);
        var page = await c.SearchAsync(new Embedding<float>(s_query), 2, new VectorSearchOptions<KeyedRecord<int>> { Skip = 2, IncludeVectors = true }, Ct).ToListAsync(Ct);
        Assert.Equal(all.Skip(2).Take(2), page.Select(h => h.Record.Key));
        Assert.Equal(s_vectors[page[0].Record.Key], page[0].Record.Vector);
        var without = await c.SearchAsync(s_query, 1, cancellationToken: Ct).SingleAsync(Ct);
        Assert.Empty(without.Record.Vector);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await c.SearchAsync(s_query, 0, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Search_StringWithoutGenerator_IsRefused()
    {
        var c = Store.GetCollection<int, KeyedRecord<int>>("no-generator");
        await c.EnsureCollectionExistsAsync(Ct);
        await Assert.ThrowsAsync<NotSupportedException>(async () => await c.SearchAsync("text", 1, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task StringVectorProperty_IsEmbeddedOnUpsertAndSearch()
    {
        var generator = new LetterEmbeddingGenerator();
        using var store = new NativeHnswVectorStore(Store.Client, new NativeHnswVectorStoreOptions { EmbeddingGenerator = generator });
        var c = store.GetCollection<int, TextRecord>("texts");
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(
        [
            new TextRecord { Id = 1, Topic = "a", Text = "aaaa bbbb" },
            new TextRecord { Id = 2, Topic = "b", Text = "zzzz yyyy" },
            new TextRecord { Id = 3, Topic = "a", Text = "aaab" },
        ], Ct);
        Assert.Equal(1, generator.Calls);
        // The embedded text is kept as the record's document, the vector as the generator made it.
        var stored = Store.Client.GetCollection("texts").Get(["2"], include: Storage.Include.All)[0];
        Assert.Equal("zzzz yyyy", stored.Document);
        Assert.Equal(LetterEmbeddingGenerator.Embed("zzzz yyyy"), stored.Embedding);

        var hits = await c.SearchAsync("aaa", 2, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([3, 1], hits.Select(h => h.Record.Id));
        var filtered = await c.SearchAsync("zzz", 3, new VectorSearchOptions<TextRecord> { Filter = r => r.Topic == "a" }, Ct).ToListAsync(Ct);
        Assert.All(filtered, h => Assert.Equal("a", h.Record.Topic));
        await Assert.ThrowsAsync<NotSupportedException>(() => c.GetAsync(1, new RecordRetrievalOptions { IncludeVectors = true }, Ct));
    }

    [Fact]
    public async Task MiniLm_AsTheStoreGenerator_FindsTheSentenceAboutTheQuery()
    {
        using var miniLm = new MiniLmEmbeddingGenerator();
        using var store = new NativeHnswVectorStore(Store.Client, new NativeHnswVectorStoreOptions { EmbeddingGenerator = miniLm });
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(string)),
                new VectorStoreVectorProperty("Text", typeof(string), MiniLmEmbeddingGenerator.Dimensions),
            ],
        };
        var c = store.GetDynamicCollection("minilm", definition);
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(new[] { "The cat sleeps on the warm windowsill.", "Interest rates rose again this quarter.", "Rust's borrow checker prevents data races." }
            .Select((t, i) => new Dictionary<string, object?> { ["Id"] = $"s{i}", ["Text"] = t }), Ct);
        var best = await c.SearchAsync("Where is the kitten napping?", 1, cancellationToken: Ct).SingleAsync(Ct);
        Assert.Equal("s0", best.Record["Id"]);
    }
}

using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Tests;

/// <summary>Collections with an embedding generator: documents and query texts embedded, the generator's identity stored and checked, re-embedding.</summary>
public sealed class EmbeddingGeneratorTests
{
    private static readonly string[] s_ids = ["id1", "id2", "id3"];

    private static readonly string[] s_documents =
    [
        "This is a document about pineapple",
        "This is a document about oranges",
        "This is a document about rocket engines",
    ];

    private static IReadOnlyDictionary<string, object?>?[] Metadatas() =>
        [Meta.Of(("source", "my_source")), Meta.Of(("source", "my_source")), Meta.Of(("source", "other"))];

    [Fact]
    public void ChromaTutorial_AddDocumentsWithoutVectorsThenNewClient_CountsThreeAndQueryByTextFindsTheRightOne()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("my_collection", new WordHashGenerator("fake-a", 32));
            c.Add(ids: s_ids, documents: s_documents, metadatas: Metadatas());
            Assert.Equal(32, c.Options.Dimensions);
            Assert.Equal(new EmbeddingIdentity("fake-a", 32), c.EmbeddingIdentity);
        }
        using (var client = new PersistentClient(folder.Path))
        {
            // Counting needs no generator.
            Assert.Equal(3, client.GetCollection("my_collection").Count());
            var generator = new WordHashGenerator("fake-a", 32);
            var c = client.GetCollection("my_collection", generator);
            Assert.Equal(3, c.Count());
            var hits = c.Query("which document is about oranges", k: 3);
            Assert.Equal("id2", hits[0].Id);
            Assert.Equal("This is a document about oranges", hits[0].Document);
            Assert.Equal("source=\"my_source\"", Meta.Text(hits[0].Metadata));
            var both = c.Query(["pineapple", "rocket engines"], k: 1);
            Assert.Equal(["id1", "id3"], both.Select(h => h[0].Id));
            // The stored vectors are the generator's embeddings of the documents.
            var stored = c.Get(ids: ["id3"], include: Include.Embeddings)[0].Embedding!;
            Assert.Equal(generator.Embed(s_documents[2]), stored);
            Assert.Empty(c.CheckIndexAgreesWithDatabase());
        }
    }

    [Fact]
    public void UpsertAndUpdate_WithDocumentsAndNoVectors_EmbedTheNewDocuments()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var generator = new WordHashGenerator("fake-a", 32);
        var c = client.CreateCollection("c", generator);
        c.Add(s_ids, documents: s_documents);
        c.Update(["id1"], documents: ["now this one is about submarines"]);
        Assert.Equal(generator.Embed("now this one is about submarines"), c.Get(["id1"], include: Include.Embeddings)[0].Embedding);
        Assert.Equal("id1", c.Query("submarines", k: 1)[0].Id);
        // Metadata only: the vector stays, and nothing is embedded.
        int before = generator.TextsEmbedded;
        c.Update(["id2"], metadatas: [Meta.Of(("k", 1L))]);
        Assert.Equal(before, generator.TextsEmbedded);
        Assert.Equal(generator.Embed(s_documents[1]), c.Get(["id2"], include: Include.Embeddings)[0].Embedding);

        c.Upsert(["id2", "id4"], documents: ["oranges became lemons", "a brand new text about volcanoes"]);
        Assert.Equal(4, c.Count());
        Assert.Equal(generator.Embed("oranges became lemons"), c.Get(["id2"], include: Include.Embeddings)[0].Embedding);
        Assert.Equal("id4", c.Query("volcanoes", k: 1)[0].Id);
        // A vector given explicitly wins over the document.
        var explicitVector = generator.Embed("pineapple");
        c.Upsert(["id3"], [explicitVector], ["a document the vector does not come from"]);
        Assert.Equal(explicitVector, c.Get(["id3"], include: Include.Embeddings)[0].Embedding);
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public async Task AsyncOverloads_AwaitTheGenerator()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", new WordHashGenerator("fake-a", 32));
        await c.AddAsync(s_ids, documents: s_documents, metadatas: Metadatas(), cancellationToken: TestContext.Current.CancellationToken);
        await c.UpsertAsync(["id4"], documents: ["glaciers and ice"], cancellationToken: TestContext.Current.CancellationToken);
        await c.UpdateAsync(["id1"], documents: ["deserts and sand"], cancellationToken: TestContext.Current.CancellationToken);
        var hits = await c.QueryAsync(["ice glaciers", "sand deserts"], k: 1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["id4", "id1"], hits.Select(h => h[0].Id));
    }

    [Fact]
    public void Reopen_WithAnotherGeneratorIdentity_RefusedNamingBothAndNothingChanges()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
            client.CreateCollection("c", new WordHashGenerator("fake-a", 32)).Add(s_ids, documents: s_documents);
        using (var client = new PersistentClient(folder.Path))
        {
            var e = Assert.Throws<EmbeddingMismatchException>(() => client.GetCollection("c", new WordHashGenerator("fake-b", 16)));
            Assert.Contains("model 'fake-a' (32 dimensions)", e.Message);
            Assert.Contains("model 'fake-b' (16 dimensions)", e.Message);
            Assert.Contains("reembed", e.Message);
            Assert.Equal(new EmbeddingIdentity("fake-a", 32), e.Stored);
            // Same model id, other dimensions: another identity too.
            e = Assert.Throws<EmbeddingMismatchException>(() => client.GetOrCreateCollection("c", new WordHashGenerator("fake-a", 31)));
            Assert.Contains("model 'fake-a' (31 dimensions)", e.Message);
            var c = client.GetCollection("c");
            Assert.False(c.HasEmbeddingGenerator);
            Assert.Equal(32, c.Options.Dimensions);
            Assert.Equal(3, c.Count());
            // The right generator still opens it.
            Assert.Same(c, client.GetOrCreateCollection("c", new WordHashGenerator("fake-a", 32)));
            Assert.True(c.HasEmbeddingGenerator);
        }
    }

    [Fact]
    public void Reembed_WithANewGenerator_ReplacesEveryVectorAndTheIdentityDurably()
    {
        using var folder = new TempDirectory();
        var newGenerator = new WordHashGenerator("fake-b", 16);
        using (var client = new PersistentClient(folder.Path))
        {
            var old = client.CreateCollection("c", new WordHashGenerator("fake-a", 32), metadata: Meta.Of(("owner", "docs")));
            old.Add(s_ids, documents: s_documents, metadatas: Metadatas());
            old.Checkpoint();
            var c = client.GetCollection("c", newGenerator, reembed: true);
            Assert.NotSame(old, c);
            Assert.Throws<StoreException>(() => old.Count());
            Assert.Equal(16, c.Options.Dimensions);
            Assert.Equal(new EmbeddingIdentity("fake-b", 16), c.EmbeddingIdentity);
            Assert.Equal("owner=\"docs\"", Meta.Text(c.Metadata));
            Assert.Equal(3, c.Count());
            Assert.Equal(newGenerator.Embed(s_documents[1]), c.Get(["id2"], include: Include.Embeddings)[0].Embedding);
            Assert.Equal("id2", c.Query("oranges", k: 1)[0].Id);
            Assert.Empty(c.CheckIndexAgreesWithDatabase());
            Assert.Same(c, client.GetCollection("c"));
        }
        using (var client = new PersistentClient(folder.Path))
        {
            Assert.Throws<EmbeddingMismatchException>(() => client.GetCollection("c", new WordHashGenerator("fake-a", 32)));
            var c = client.GetCollection("c", new WordHashGenerator("fake-b", 16));
            Assert.Equal("id3", c.Query("rocket engines", k: 1)[0].Id);
            Assert.Empty(c.CheckIndexAgreesWithDatabase());
        }
    }

    [Fact]
    public void Reembed_CollectionOfCallerVectors_EmbedsItsDocuments()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var plain = client.CreateCollection("c", new CollectionOptions { Dimensions = 4 });
        plain.Add(s_ids, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], s_documents);
        var e = Assert.Throws<EmbeddingMismatchException>(() => client.GetCollection("c", new WordHashGenerator("fake-a", 32)));
        Assert.Contains("no embedding generator", e.Message);
        Assert.Contains("model 'fake-a' (32 dimensions)", e.Message);
        var c = client.GetCollection("c", new WordHashGenerator("fake-a", 32), reembed: true);
        Assert.Equal(32, c.Options.Dimensions);
        Assert.Equal("id1", c.Query("pineapple", k: 1)[0].Id);
    }

    [Fact]
    public void Reembed_RecordWithoutDocument_RefusedNamingItAndNothingChanges()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var generator = new WordHashGenerator("fake-a", 32);
        var c = client.CreateCollection("c", generator);
        c.Add(s_ids, documents: s_documents);
        c.Add("bare", generator.Embed("no document kept"));
        var e = Assert.Throws<StoreException>(() => client.GetCollection("c", new WordHashGenerator("fake-b", 16), reembed: true));
        Assert.Contains("1 of 4 records have no document", e.Message);
        Assert.Contains("'bare'", e.Message);
        Assert.Contains("Nothing was changed", e.Message);
        Assert.Same(c, client.GetCollection("c"));
        Assert.Equal(new EmbeddingIdentity("fake-a", 32), c.EmbeddingIdentity);
        Assert.Equal(generator.Embed(s_documents[0]), c.Get(["id1"], include: Include.Embeddings)[0].Embedding);
        Assert.Equal(4, c.Count());
    }

    [Fact]
    public void Reembed_ManyChunks_ReplacesEveryVectorOrRollsEveryChunkBack()
    {
        // 600 records: the re-embed reads, embeds and writes them 256 at a time inside one transaction.
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var generator = new WordHashGenerator("fake-a", 32);
        var ids = Enumerable.Range(0, 600).Select(i => $"r{i:D3}").ToArray();
        var documents = ids.Select(id => $"document {id} about topic {id[^1]}").ToArray();
        var c = client.CreateCollection("c", generator);
        c.Add(ids, documents: documents);
        // A record in the third chunk whose new embedding is NaN: every chunk before it is rolled back.
        c.Update(["r550"], [generator.Embed("kept vector")], ["this text gives NaN! in the last chunk"]);
        var e = Assert.Throws<InvalidRecordException>(() => client.GetCollection("c", new WordHashGenerator("fake-b", 16), reembed: true));
        Assert.Equal("r550", e.RecordId);
        Assert.Same(c, client.GetCollection("c"));
        Assert.Equal(new EmbeddingIdentity("fake-a", 32), c.EmbeddingIdentity);
        Assert.Equal(generator.Embed(documents[0]), c.Get(["r000"], include: Include.Embeddings)[0].Embedding);
        Assert.Equal(generator.Embed(documents[300]), c.Get(["r300"], include: Include.Embeddings)[0].Embedding);

        c.Update(["r550"], documents: [documents[550]]);
        var newGenerator = new WordHashGenerator("fake-b", 16);
        var fresh = client.GetCollection("c", newGenerator, reembed: true);
        Assert.Equal(600, fresh.Count());
        var stored = fresh.Get(include: Include.Embeddings | Include.Documents);
        Assert.All(stored, r => Assert.Equal(newGenerator.Embed(r.Document!), r.Embedding));
        Assert.Empty(fresh.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void Reembed_GeneratorReturnsNaN_RefusedNamingTheRecordAndNothingChanges()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var generator = new WordHashGenerator("fake-a", 32);
        var c = client.CreateCollection("c", generator);
        // Given with its vector, so the document is stored without being embedded; the re-embed must embed it.
        c.Add(["ok", "bad"], [generator.Embed("fine text"), generator.Embed("other")], ["fine text", "this text gives NaN! later"]);
        var e = Assert.Throws<InvalidRecordException>(() => client.GetCollection("c", new WordHashGenerator("fake-b", 16), reembed: true));
        Assert.Equal("bad", e.RecordId);
        Assert.Contains("model 'fake-b' (16 dimensions)", e.Message);
        Assert.Same(c, client.GetCollection("c"));
        Assert.Equal(32, c.Options.Dimensions);
        Assert.Equal(generator.Embed("other"), c.Get(["bad"], include: Include.Embeddings)[0].Embedding);
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Theory]
    [InlineData("a sentence that is short! by one", "has 31 dimensions, the collection 32")]
    [InlineData("a sentence that gives NaN! there", "component 1 of the embedding of its document")]
    public void Add_GeneratorReturnsABadEmbedding_RefusedNamingTheRecordAndNothingWritten(string badDocument, string expected)
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", new WordHashGenerator("fake-a", 32));
        var e = Assert.Throws<InvalidRecordException>(() => c.Add(["good", "bad"], documents: ["a fine sentence", badDocument]));
        Assert.Equal("bad", e.RecordId);
        Assert.Contains(expected, e.Message);
        Assert.Contains("model 'fake-a' (32 dimensions)", e.Message);
        Assert.Equal(0, c.Count());
        c.Add(["good"], documents: ["a fine sentence"]);
        Assert.Throws<InvalidRecordException>(() => c.Update(["good"], documents: [badDocument]));
        Assert.Equal("a fine sentence", c.Get(["good"])[0].Document);
        Assert.Throws<InvalidRecordException>(() => c.Upsert(["new"], documents: [badDocument]));
        Assert.Equal(1, c.Count());
        var q = Assert.Throws<StoreException>(() => c.Query(badDocument));
        Assert.Contains("query text 0", q.Message);
    }

    [Fact]
    public void Collection_WithoutGenerator_StillNeedsVectorsWithClearMessages()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", new CollectionOptions { Dimensions = 4 });
        var e = Assert.Throws<ArgumentException>(() => c.Add(s_ids, documents: s_documents));
        Assert.Contains("collection 'c' has no embedding generator, so Add needs embeddings", e.Message);
        Assert.Throws<ArgumentException>(() => c.Upsert(s_ids, documents: s_documents));
        var r = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "b"], [[1, 0, 0, 0], null], ["x", "y"]));
        Assert.Equal("b", r.RecordId);
        Assert.Contains("no embedding generator", r.Message);
        Assert.Equal(0, c.Count());
        var q = Assert.Throws<InvalidOperationException>(() => c.Query("text"));
        Assert.Contains("cannot embed query texts", q.Message);
        // Update of a document without a generator leaves the vector as it is.
        c.Add("a", [1, 0, 0, 0], "old");
        c.Update(["a"], documents: ["new"]);
        Assert.Equal([1f, 0, 0, 0], c.Get(["a"], include: Include.Embeddings)[0].Embedding!);
    }

    [Fact]
    public void Collection_OpenedWithoutItsGenerator_SaysWhichGeneratorToOpenItWith()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
            client.CreateCollection("c", new WordHashGenerator("fake-a", 32)).Add(s_ids, documents: s_documents);
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("c");
            var e = Assert.Throws<ArgumentException>(() => c.Add(["id4"], documents: ["more"]));
            Assert.Contains("open it with its embedding generator (model 'fake-a' (32 dimensions))", e.Message);
        }
    }

    [Fact]
    public void Create_GeneratorWithoutStatedDimensions_LearnsThemFromAProbeEmbedding()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var generator = new WordHashGenerator("fake-a", 24, statesDimensions: false);
        var c = client.CreateCollection("c", generator, new CollectionOptions { Dimensions = 0, M = 8 });
        Assert.Equal(24, c.Options.Dimensions);
        Assert.Equal(8, c.Options.M);
        Assert.Equal(1, generator.Calls);
        // A generator without a model id is known by its provider name.
        var unnamed = client.CreateCollection("d", new WordHashGenerator(null, 8));
        Assert.Equal(new EmbeddingIdentity("word-hash", 8), unnamed.EmbeddingIdentity);
        var e = Assert.Throws<ArgumentException>(() => client.CreateCollection("e", generator, new CollectionOptions { Dimensions = 10 }));
        Assert.Contains("the options ask for 10 dimensions", e.Message);
        Assert.Contains("model 'fake-a' (24 dimensions)", e.Message);
        Assert.Equal(["c", "d"], client.ListCollections());
    }

    [Fact]
    public void Open_Version3Store_MigratesWithoutGeneratorIdentities()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
            client.CreateCollection("c", new CollectionOptions { Dimensions = 2 }).Add("a", [1, 2], "doc");
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder.Path, "store.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE collections DROP COLUMN embedding_model; UPDATE store_info SET value = '3' WHERE key = 'format_version';";
            command.ExecuteNonQuery();
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("c");
            Assert.Null(c.EmbeddingIdentity);
            Assert.Equal(1, c.Count());
            Assert.Equal(new EmbeddingIdentity("fake-a", 8), client.CreateCollection("g", new WordHashGenerator("fake-a", 8)).EmbeddingIdentity);
            using var reader = client.Database.OpenReader();
            using var version = reader.CreateCommand();
            version.CommandText = "SELECT value FROM store_info WHERE key = 'format_version';";
            Assert.Equal("5", version.ExecuteScalar());
        }
    }
}

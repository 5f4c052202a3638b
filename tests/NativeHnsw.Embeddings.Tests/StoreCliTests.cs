using System.Text.Json;
using NativeHnsw.Cli;
using NativeHnsw.Storage;

namespace NativeHnsw.Embeddings.Tests;

/// <summary><c>nhnsw store add</c> and <c>nhnsw store query</c> through the real entry point, in process.</summary>
public sealed class StoreCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NhnswCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Jsonl(string name, params string[] lines)
    {
        string path = _dir.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Docs() => Jsonl("docs.jsonl",
        """{"id": "cats", "document": "Cats sleep most of the day, often in a sunny spot.", "metadata": {"source": "pets.md", "chunk": 0}}""",
        """{"id": "rates", "document": "The central bank raised interest rates by a quarter point.", "metadata": {"source": "news.md", "chunk": 0}}""",
        "",
        """{"id": "dogs", "document": "Dogs need a walk at least twice a day.", "metadata": {"source": "pets.md", "chunk": 1, "reviewed": true}}""",
        """{"id": "bare", "document": "Backups should be tested by restoring them."}""");

    [Fact]
    public void AddThenQuery_FindsTheDocumentAboutTheQuestion()
    {
        string store = _dir.File("store");
        var add = Run("store", "add", store, "notes", "--documents", Docs(), "--json");
        Assert.True(add.Code == 0, add.Err);
        var added = JsonDocument.Parse(add.Out).RootElement;
        Assert.Equal(4, added.GetProperty("written").GetInt32());

        var query = Run("store", "query", store, "notes", "--text", "Where does my kitten like to nap?", "--k", "2", "--json");
        Assert.True(query.Code == 0, query.Err);
        var hits = JsonDocument.Parse(query.Out).RootElement.GetProperty("hits");
        Assert.Equal(2, hits.GetArrayLength());
        Assert.Equal("cats", hits[0].GetProperty("id").GetString());
        Assert.Equal("pets.md", hits[0].GetProperty("metadata").GetProperty("source").GetString());

        var filtered = Run("store", "query", store, "notes", "--text", "Where does my kitten like to nap?", "--where", """{"source": "news.md"}""", "--json");
        var only = JsonDocument.Parse(filtered.Out).RootElement.GetProperty("hits");
        Assert.Equal("rates", Assert.Single(only.EnumerateArray()).GetProperty("id").GetString());

        // A document filter (trigram index), alone and with a metadata filter.
        var byDocument = Run("store", "query", store, "notes", "--text", "Where does my kitten like to nap?", "--where-document", """{"$contains": "walk"}""", "--json");
        Assert.True(byDocument.Code == 0, byDocument.Err);
        Assert.Equal("dogs", Assert.Single(JsonDocument.Parse(byDocument.Out).RootElement.GetProperty("hits").EnumerateArray()).GetProperty("id").GetString());
        var both = Run("store", "query", store, "notes", "--text", "animals", "--where", """{"source": "pets.md"}""", "--where-document", """{"$not_contains": "walk"}""", "--json");
        Assert.Equal("cats", Assert.Single(JsonDocument.Parse(both.Out).RootElement.GetProperty("hits").EnumerateArray()).GetProperty("id").GetString());
        var badDocument = Run("store", "query", store, "notes", "--text", "x", "--where-document", """{"$starts": "a"}""");
        Assert.Equal(NhnswCli.BadUsage, badDocument.Code);
        Assert.Contains("--where-document", badDocument.Err, StringComparison.Ordinal);

        var text = Run("store", "query", store, "notes", "--text", "walking the dog");
        Assert.Equal(0, text.Code);
        Assert.Contains("dogs", text.Out, StringComparison.Ordinal);

        using var client = new PersistentClient(store);
        var stored = client.GetCollection("notes").Get(["dogs"])[0];
        Assert.Equal("Dogs need a walk at least twice a day.", stored.Document);
        Assert.Equal(true, stored.Metadata!["reviewed"]);
        Assert.Equal(1L, stored.Metadata["chunk"]);
        Assert.Equal(384, client.GetCollection("notes").Options.Dimensions);
        // A generator-backed collection: the model's identity is stored with it.
        Assert.Equal(new EmbeddingIdentity(MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.Dimensions), client.GetCollection("notes").EmbeddingIdentity);
    }

    [Fact]
    public void AddAndQuery_OnACollectionOfCallerVectors_RefusedUntilReembed()
    {
        string store = _dir.File("store");
        using (var client = new PersistentClient(store))
        using (var embedder = new MiniLmEmbeddingGenerator())
        {
            var notes = client.CreateCollection("notes", new CollectionOptions { Dimensions = MiniLmEmbeddingGenerator.Dimensions });
            notes.Add(["old"], embedder.Embed(["Penguins live in the southern hemisphere."], TestContext.Current.CancellationToken), ["Penguins live in the southern hemisphere."]);
        }
        var query = Run("store", "query", store, "notes", "--text", "where do penguins live");
        Assert.Equal(NhnswCli.Failed, query.Code);
        Assert.Contains("no embedding generator", query.Err, StringComparison.Ordinal);
        Assert.Contains(MiniLmEmbeddingGenerator.ModelId, query.Err, StringComparison.Ordinal);
        var add = Run("store", "add", store, "notes", "-d", Docs());
        Assert.Equal(NhnswCli.Failed, add.Code);
        using (var client = new PersistentClient(store))
            Assert.Equal(1, client.GetCollection("notes").Count());

        Assert.Equal(0, Run("store", "add", store, "notes", "-d", Docs(), "--reembed").Code);
        var after = Run("store", "query", store, "notes", "--text", "where do penguins live", "--k", "1", "--json");
        Assert.True(after.Code == 0, after.Err);
        Assert.Equal("old", JsonDocument.Parse(after.Out).RootElement.GetProperty("hits")[0].GetProperty("id").GetString());
        using var reopened = new PersistentClient(store);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, reopened.GetCollection("notes").EmbeddingIdentity!.ModelId);
        Assert.Equal(5, reopened.GetCollection("notes").Count());
    }

    [Fact]
    public void Add_ExistingIds_RefusedUnlessUpsert()
    {
        string store = _dir.File("store");
        Assert.Equal(0, Run("store", "add", store, "notes", "-d", Docs()).Code);
        var again = Run("store", "add", store, "notes", "-d", Docs());
        Assert.Equal(NhnswCli.Failed, again.Code);
        Assert.Contains("already has id(s)", again.Err, StringComparison.Ordinal);
        var changed = Jsonl("changed.jsonl", """{"id": "cats", "document": "Cats chase laser pointers."}""");
        Assert.Equal(0, Run("store", "add", store, "notes", "-d", changed, "--upsert").Code);
        using var client = new PersistentClient(store);
        Assert.Equal(4, client.GetCollection("notes").Count());
        Assert.Equal("Cats chase laser pointers.", client.GetCollection("notes").Get(["cats"])[0].Document);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"document": "no id"}""", "\"id\" must be")]
    [InlineData("""{"id": "x", "document": ""}""", "\"document\" must be")]
    [InlineData("""{"id": "x", "document": "d", "metadata": {"tags": ["a"]}}""", "metadata \"tags\" is array")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    public void Add_BadLine_Exit2NamingTheLineAndWritesNothing(string bad, string expected)
    {
        string store = _dir.File("store");
        string file = Jsonl("bad.jsonl", """{"id": "ok", "document": "fine"}""", bad);
        var result = Run("store", "add", store, "notes", "-d", file);
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains("bad.jsonl:2", result.Err, StringComparison.Ordinal);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        // The file is checked before the store is opened: not even the store folder was created.
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public void Add_DuplicateIdInFile_Exit2()
    {
        string file = Jsonl("dup.jsonl", """{"id": "a", "document": "one"}""", """{"id": "a", "document": "two"}""");
        var result = Run("store", "add", _dir.File("store"), "notes", "-d", file);
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains("first on line 1", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_BadWhereOrMissingStore_ExitCodes()
    {
        string store = _dir.File("store");
        Assert.Equal(0, Run("store", "add", store, "notes", "-d", Docs()).Code);
        var badWhere = Run("store", "query", store, "notes", "--text", "x", "--where", "{\"a\": {\"$regex\": 1}}");
        Assert.Equal(NhnswCli.BadUsage, badWhere.Code);
        Assert.Contains("--where", badWhere.Err, StringComparison.Ordinal);
        var missing = Run("store", "query", _dir.File("nothing"), "notes", "--text", "x");
        Assert.Equal(NhnswCli.Failed, missing.Code);
        var noCollection = Run("store", "query", store, "absent", "--text", "x");
        Assert.Equal(NhnswCli.Failed, noCollection.Code);
        Assert.Contains("absent", noCollection.Err, StringComparison.Ordinal);
        Assert.Equal(NhnswCli.BadUsage, Run("store", "query", store, "notes").Code);
    }

    [Fact]
    public void Query_WhileAnotherClientHoldsTheStore_ReadsBesideIt()
    {
        string store = _dir.File("store");
        Assert.Equal(0, Run("store", "add", store, "notes", "-d", Docs()).Code);
        using var holder = new PersistentClient(store);
        var result = Run("store", "query", store, "notes", "--text", "backups and restores", "--k", "1", "--json");
        Assert.True(result.Code == 0, result.Err);
        Assert.Equal("bare", JsonDocument.Parse(result.Out).RootElement.GetProperty("hits")[0].GetProperty("id").GetString());
    }
}

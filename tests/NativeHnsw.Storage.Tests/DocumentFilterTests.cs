using FsCheck;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// Document filters ($contains, $not_contains, $regex, $not_regex, $and, $or) over the trigram index: random
/// filters, mixed with metadata filters, must select exactly what the C# reference (<see cref="Meta.Matches"/>)
/// selects, over documents in Latin and Chinese script, with quotes, short and missing documents.
/// </summary>
public sealed class DocumentFilterTests : IClassFixture<DocumentFilterTests.Store>
{
    private const int Records = 300;
    private static readonly string[] s_words = ["向量", "数据库", "搜索", "中文", "vector", "Vector", "index", "a\"b", "ab", "x", "检索增强", "HNSW", "graph"];
    private static readonly string[] s_patterns = ["^vec", "[Vv]ector", "数据.", "\\d", "^$", "库$", "a\"b", "(index|graph) ", "搜索|HNSW"];
    private readonly Store _store;

    public DocumentFilterTests(Store store)
    {
        _store = store;
    }

    [FsCheck.Xunit.Property(MaxTest = 120)]
    public Property Get_RandomDocumentFilter_EqualsReference() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var where = RandomWhere(random, 0);
            var reparsed = Where.Parse(where.ToString());
            Assert.Equal(where.ToString(), reparsed.ToString());
            var expected = _store.Records.Where(p => Meta.Matches(where, p.Value.Metadata, p.Value.Document)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
            var actual = _store.Collection.Get(where: reparsed, include: Include.None).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}: {where}: expected {expected.Count} records, got {actual.Count}");
        });

    private Where RandomWhere(Random random, int depth)
    {
        int kind = random.Next(depth >= 2 ? 6 : 8);
        switch (kind)
        {
            case 6 or 7:
                var children = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomWhere(random, depth + 1)).ToArray();
                return kind == 6 ? Where.And(children) : Where.Or(children);
            case 5:
                return Where.Eq("n", (long)random.Next(3));
            case 3 or 4:
                string pattern = s_patterns[random.Next(s_patterns.Length)];
                return kind == 3 ? Where.DocumentRegex(pattern) : Where.DocumentNotRegex(pattern);
            default:
                string text = Fragment(random);
                return kind == 2 ? Where.DocumentNotContains(text) : Where.DocumentContains(text);
        }
    }

    /// <summary>A substring of a stored document (1 to 6 characters, so both the trigram and the short path run), or a word.</summary>
    private string Fragment(Random random)
    {
        if (random.Next(4) == 0)
            return s_words[random.Next(s_words.Length)];
        var documents = _store.Records.Values.Select(v => v.Document).OfType<string>().Where(d => d.Length > 0).ToList();
        string document = documents[random.Next(documents.Count)];
        int length = Math.Min(document.Length, random.Next(1, 7));
        int start = random.Next(document.Length - length + 1);
        if (char.IsLowSurrogate(document[start]))
            start--;
        return document.Substring(start, length);
    }

    [Fact]
    public void Query_DocumentFilterWithVectorSearch_ReturnsTheNearestMatching()
    {
        var where = Where.And(Where.DocumentContains("向量"), Where.DocumentNotContains("HNSW"));
        var matching = _store.Records.Where(p => Meta.Matches(where, p.Value.Metadata, p.Value.Document)).Select(p => p.Key).ToHashSet();
        Assert.NotEmpty(matching);
        var hits = _store.Collection.Query([0, 1], 5, where);
        var expected = matching.OrderBy(id => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)).Take(5);
        Assert.Equal(expected, hits.Select(h => h.Id));
    }

    [Fact]
    public void ParseDocument_ChromaSyntax_CombinesWithMetadataFilter()
    {
        var document = Where.ParseDocument("""{"$or": [{"$contains": "数据库"}, {"$regex": "^vec"}]}""");
        var where = Where.And(Where.Eq("n", 1L), document);
        var expected = _store.Records.Where(p => Meta.Matches(where, p.Value.Metadata, p.Value.Document)).Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, _store.Collection.Get(where: where, include: Include.None).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(where.ToString(), Where.Parse("""{"$and": [{"n": 1}, {"#document": {"$or": [{"$contains": "数据库"}, {"$regex": "^vec"}]}}]}""").ToString());
        var e = Assert.Throws<FilterSyntaxException>(() => Where.ParseDocument("""{"$regex": "(unclosed"}"""));
        Assert.Contains("$.$regex", e.Message);
        Assert.Throws<FilterSyntaxException>(() => Where.ParseDocument("""{"$starts": "x"}"""));
        Assert.Throws<FilterSyntaxException>(() => Where.ParseDocument("""{"$contains": 3}"""));
    }

    [Fact]
    public void Regex_PastItsTimeLimit_FailsWithStoreException()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("slow", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 });
        c.Add("a", [1, 1], new string('a', 40) + "!");
        var e = Assert.Throws<StoreException>(() => c.Get(where: Where.DocumentRegex("^(a+)+$")));
        Assert.Contains("ran longer than", e.Message);
    }

    [Fact]
    public void Open_Version2Store_MigratesToVersion3AndIndexesDocuments()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("m", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 });
            c.Add(["a", "b", "c"], [[1, 1], [2, 1], [3, 1]], ["检索增强生成", "vector search", null]);
        }
        // Made into a version-2 store by hand: no document index.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder.Path, "store.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TRIGGER records_document_insert; DROP TRIGGER records_document_delete; DROP TRIGGER records_document_update;
                DROP TABLE documents_fts; UPDATE store_info SET value = '2' WHERE key = 'format_version';
                """;
            command.ExecuteNonQuery();
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("m");
            Assert.Equal(["a"], c.Get(where: Where.DocumentContains("增强生")).Select(r => r.Id));
            Assert.Equal(["b"], c.Get(where: Where.DocumentContains("search")).Select(r => r.Id));
            Assert.Equal(["b", "c"], c.Get(where: Where.DocumentNotContains("检索")).Select(r => r.Id));
            c.Update(["a"], documents: ["changed"]);
            Assert.Empty(c.Get(where: Where.DocumentContains("增强生")));
            Assert.Equal(["a"], c.Get(where: Where.DocumentContains("hanged")).Select(r => r.Id));
        }
        using var check = new SqliteConnection($"Data Source={Path.Combine(folder.Path, "store.db")};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT value FROM store_info WHERE key = 'format_version';";
        Assert.Equal("5", version.ExecuteScalar());
    }

    /// <summary>One store for the property: 300 records with random documents (seed 8), some upserted, updated and deleted so the index's triggers all ran.</summary>
    public sealed class Store : IDisposable
    {
        private readonly TempDirectory _folder = new();
        private readonly PersistentClient _client;

        public Store()
        {
            _client = new PersistentClient(_folder.Path);
            Collection = _client.CreateCollection("d", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 });
            var random = new Random(8);
            Records = [];
            for (int i = 0; i < Records_; i++)
            {
                string? document = random.Next(10) == 0 ? null : string.Join(random.Next(2) == 0 ? " " : "", Enumerable.Range(0, random.Next(0, 6)).Select(_ => s_words[random.Next(s_words.Length)]));
                var meta = new Dictionary<string, object>(StringComparer.Ordinal) { ["n"] = (long)(i % 3) };
                Records[$"r{i}"] = (document, meta);
            }
            var ids = Records.Keys.ToList();
            Collection.Add(ids, [.. ids.Select(id => new float[] { int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture), 1 })],
                [.. ids.Select(id => Records[id].Document)], [.. ids.Select(id => (IReadOnlyDictionary<string, object?>?)Records[id].Metadata.ToDictionary(p => p.Key, p => (object?)p.Value))]);
            // Every trigger: documents replaced (update, upsert) and records deleted.
            for (int i = 0; i < Records_; i += 7)
            {
                string document = s_words[random.Next(s_words.Length)] + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Collection.Update([$"r{i}"], documents: [document]);
                Records[$"r{i}"] = (document, Records[$"r{i}"].Metadata);
            }
            for (int i = 3; i < Records_; i += 11)
            {
                Collection.Delete([$"r{i}"]);
                Records.Remove($"r{i}");
            }
        }

        private static int Records_ => DocumentFilterTests.Records;

        public Collection Collection { get; }

        public Dictionary<string, (string? Document, Dictionary<string, object> Metadata)> Records { get; }

        public void Dispose()
        {
            _client.Dispose();
            _folder.Dispose();
        }
    }
}

using System.Text;
using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Tests;

public sealed class BadInputTests
{
    private static readonly CollectionOptions s_cosine = new() { Dimensions = 4 };

    [Fact]
    public void Add_BadBatches_RejectedWholeWithClearMessage()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("docs", s_cosine);
        c.Add("exists", [1, 2, 3, 4]);
        float[] ok = [1, 0, 0, 0];

        var e = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "b", "a"], [ok, ok, ok]));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("position 2", e.Message);
        Assert.Contains("docs", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "b"], [ok, [1, 2, 3]]));
        Assert.Contains("3 dimensions", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "b"], [ok, [1, float.NaN, 3, 4]]));
        Assert.Contains("component 1", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "b"], [ok, [0, 0, 0, 0]]));
        Assert.Contains("zeros", e.Message);
        // Found inside the transaction, after "a" was inserted: rolled back.
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a", "exists"], [ok, ok]));
        Assert.Contains("exists already", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Update(["exists", "missing"], documents: ["x", "y"]));
        Assert.Contains("'missing'", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a"], [ok], metadatas: [Meta.Of(("$bad", 1))]));
        Assert.Contains("reserved", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a"], [ok], metadatas: [Meta.Of(("k", new object()))]));
        Assert.Contains("not supported", e.Message);
        e = Assert.Throws<InvalidRecordException>(() => c.Add(["a"], [ok], metadatas: [Meta.Of(("k", double.NaN))]));
        Assert.Contains("not finite", e.Message);
        Assert.Throws<ArgumentException>(() => c.Add(["a", "b"], [ok]));
        Assert.Throws<ArgumentException>(() => c.Query(new float[3]));

        Assert.Equal(["exists"], c.Get().Select(r => r.Id));
        Assert.Null(c.Get(["exists"])[0].Document);
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    [Theory]
    [InlineData("[1]", "expected an object")]
    [InlineData("{\"a\": {\"$gt\": \"x\"}}", "numbers only")]
    [InlineData("{\"a\": {\"$foo\": 1}}", "unknown operator")]
    [InlineData("{\"$not\": []}", "unknown logical operator")]
    [InlineData("{\"$and\": []}", "non-empty list")]
    [InlineData("{\"a\": {\"$in\": [1, \"x\"]}}", "one type")]
    [InlineData("{\"a\": {\"$in\": []}}", "non-empty list")]
    [InlineData("{\"a\": {\"$eq\": 1, \"$ne\": 2}}", "exactly one operator")]
    [InlineData("{\"a\": null}", "expected a string, number or bool")]
    [InlineData("{\"a\": ", "not valid JSON")]
    public void Where_BadSyntax_FilterSyntaxExceptionNamesThePlace(string json, string expected)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => Where.Parse(json));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("bad where filter at $", e.Message);
    }

    [Fact]
    public void Open_SecondClientOnSameStore_StoreLockedException()
    {
        using var folder = new TempDirectory();
        using var first = new PersistentClient(folder.Path);
        var e = Assert.Throws<StoreLockedException>(() => new PersistentClient(folder.Path));
        Assert.Contains(folder.Path, e.Message);
    }

    [Fact]
    public void Open_StoreFromNewerVersion_StoreVersionException()
    {
        using var folder = new TempDirectory();
        new PersistentClient(folder.Path).Dispose();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder.Path, "store.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE store_info SET value = '99' WHERE key = 'format_version';";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreVersionException>(() => new PersistentClient(folder.Path));
        Assert.Equal(99, e.FoundVersion);
        Assert.Contains("newer", e.Message);
        // The lock was released: the failed open left nothing held.
        Assert.Throws<StoreVersionException>(() => new PersistentClient(folder.Path));
    }

    [Fact]
    public void Open_DamagedDatabaseFile_StoreCorruptExceptionNamesTheFile()
    {
        using var folder = new TempDirectory();
        new PersistentClient(folder.Path).Dispose();
        string db = Path.Combine(folder.Path, "store.db");
        File.WriteAllBytes(db, Encoding.ASCII.GetBytes(new string('x', 8192)));
        var e = Assert.Throws<StoreCorruptException>(() => new PersistentClient(folder.Path));
        Assert.Contains(db, e.Message);
    }

    [Fact]
    public void GetCollection_Unknown_CollectionNotFoundException()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var e = Assert.Throws<CollectionNotFoundException>(() => client.GetCollection("nope"));
        Assert.Contains("'nope'", e.Message);
        Assert.Throws<ArgumentException>(() => client.CreateCollection("bad name/", s_cosine));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.CreateCollection("zero", new CollectionOptions { Dimensions = 0 }));
    }
}

namespace NativeHnsw.Storage.Tests;

/// <summary>Collection metadata, Chroma's hnsw: keys, modify and get-or-create.</summary>
public sealed class CollectionMetadataTests
{
    private static readonly CollectionOptions s_options = new() { Dimensions = 3 };

    [Fact]
    public void Create_WithMetadataAndHnswKeys_StoresMetadataMapsKeysOntoOptionsAndSurvivesReopen()
    {
        using var folder = new TempDirectory();
        var metadata = Meta.Of(("owner", "docs team"), ("version", 2L), ("ratio", 0.5), ("public", true), ("dropped", null),
            ("hnsw:space", "l2"), ("hnsw:M", 12), ("hnsw:construction_ef", 150L), ("hnsw:search_ef", 40));
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("c", s_options, metadata);
            Assert.Equal(s_options with { Metric = DistanceMetric.L2, M = 12, EfConstruction = 150, DefaultEf = 40 }, c.Options);
            Assert.Equal("owner=\"docs team\",public=true,ratio=0.5d,version=2", Meta.Text(c.Metadata));
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("c");
            Assert.Equal(DistanceMetric.L2, c.Options.Metric);
            Assert.Equal(12, c.Options.M);
            Assert.Equal("owner=\"docs team\",public=true,ratio=0.5d,version=2", Meta.Text(c.Metadata));
            Assert.Null(client.CreateCollection("plain", s_options).Metadata);
        }
    }

    [Fact]
    public void Create_UnknownOrBadHnswKey_RefusedClearlyAndNothingCreated()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var e = Assert.Throws<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("hnsw:spaces", "l2"))));
        Assert.Contains("'hnsw:spaces' is not a known HNSW option", e.Message);
        e = Assert.Throws<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("hnsw:space", "manhattan"))));
        Assert.Contains("\"manhattan\"", e.Message);
        e = Assert.Throws<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("hnsw:M", "16"))));
        Assert.Contains("expected an integer", e.Message);
        e = Assert.Throws<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("hnsw:num_threads", 4))));
        Assert.Contains("MaxDegreeOfParallelism", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("hnsw:M", 1))));
        Assert.Throws<ArgumentException>(() => client.CreateCollection("c", s_options, Meta.Of(("$bad", 1))));
        Assert.Empty(client.ListCollections());
    }

    [Fact]
    public void Modify_NameAndMetadata_RenamesReplacesAndPersists()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("old", s_options, Meta.Of(("a", 1L)));
            c.Add("x", [1, 2, 3]);
            client.CreateCollection("taken", s_options);
            Assert.Throws<CollectionExistsException>(() => c.Modify(name: "taken"));
            Assert.Throws<ArgumentException>(() => c.Modify(name: "bad name"));
            var e = Assert.Throws<ArgumentException>(() => c.Modify(metadata: Meta.Of(("hnsw:space", "l2"))));
            Assert.Contains("cannot be changed", e.Message);
            Assert.Equal("old", c.Name);

            c.Modify(name: "new");
            Assert.Equal("new", c.Name);
            Assert.Equal("a=1", Meta.Text(c.Metadata));
            Assert.Same(c, client.GetCollection("new"));
            Assert.Throws<CollectionNotFoundException>(() => client.GetCollection("old"));
            c.Modify(metadata: Meta.Of(("b", "two")));
            Assert.Equal("b=\"two\"", Meta.Text(c.Metadata));
            Assert.Equal(["new", "taken"], client.ListCollections());
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("new");
            Assert.Equal("b=\"two\"", Meta.Text(c.Metadata));
            Assert.Equal(1, c.Count());
            c.Modify(metadata: Meta.Of());
            Assert.Null(c.Metadata);
        }
    }

    [Fact]
    public void GetOrCreate_Existing_ReturnedUnchanged()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var created = client.GetOrCreateCollection("c", s_options, Meta.Of(("a", 1L), ("hnsw:space", "ip")));
        Assert.Equal(DistanceMetric.InnerProduct, created.Options.Metric);
        var again = client.GetOrCreateCollection("c", s_options, Meta.Of(("a", 2L), ("hnsw:space", "ip")));
        Assert.Same(created, again);
        Assert.Equal("a=1", Meta.Text(again.Metadata));
        Assert.Throws<CollectionExistsException>(() => client.GetOrCreateCollection("c", s_options, Meta.Of(("hnsw:space", "l2"))));
    }
}

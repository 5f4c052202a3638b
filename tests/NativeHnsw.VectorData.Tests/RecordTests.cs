using Microsoft.Extensions.VectorData;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData.Tests;

public sealed class RecordTests : StoreTest
{
    private async Task<VectorStoreCollection<string, Product>> Products()
    {
        var c = Store.GetCollection<string, Product>("products");
        await c.EnsureCollectionExistsAsync(Ct);
        return c;
    }

    private static Product Sample(string id = "p1") => new()
    {
        Id = id,
        Name = "Lamp",
        Stock = 3,
        Sold = 5_000_000_000,
        Price = 19.99,
        Rating = 4.5f,
        InStock = true,
        Discount = 10,
        Category = "home",
        Embedding = new float[] { 0.1f, 0.2f, 0.3f, 0.4f },
    };

    [Fact]
    public async Task Upsert_ThenGet_RoundTripsEveryProperty()
    {
        var c = await Products();
        await c.UpsertAsync(Sample(), Ct);
        var back = await c.GetAsync("p1", new RecordRetrievalOptions { IncludeVectors = true }, Ct);
        Assert.NotNull(back);
        Assert.Equal(("Lamp", 3, 5_000_000_000L, 19.99, 4.5f, true, (int?)10, "home"),
            (back.Name, back.Stock, back.Sold, back.Price, back.Rating, back.InStock, back.Discount, back.Category));
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], back.Embedding.ToArray());
        // The storage name is the metadata key the store holds.
        var stored = Store.Client.GetCollection("products").Get(["p1"])[0];
        Assert.Equal("Lamp", stored.Metadata!["product_name"]);
    }

    [Fact]
    public async Task Get_WithoutIncludeVectors_LeavesVectorEmpty()
    {
        var c = await Products();
        await c.UpsertAsync(Sample(), Ct);
        var back = await c.GetAsync("p1", cancellationToken: Ct);
        Assert.True(back!.Embedding.IsEmpty);
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull() =>
        Assert.Null(await (await Products()).GetAsync("nope", cancellationToken: Ct));

    [Fact]
    public async Task Upsert_Existing_ReplacesPropertiesAndNullRemovesThem()
    {
        var c = await Products();
        await c.UpsertAsync(Sample(), Ct);
        var changed = Sample();
        changed.Name = "Desk lamp";
        changed.Discount = null;
        changed.Category = null;
        changed.Embedding = new float[] { 1, 0, 0, 0 };
        await c.UpsertAsync(changed, Ct);
        var back = await c.GetAsync("p1", new RecordRetrievalOptions { IncludeVectors = true }, Ct);
        Assert.Equal("Desk lamp", back!.Name);
        Assert.Null(back.Discount);
        Assert.Null(back.Category);
        Assert.Equal([1f, 0, 0, 0], back.Embedding.ToArray());
        Assert.Equal(1, Store.Client.GetCollection("products").Count());
    }

    [Fact]
    public async Task Batch_UpsertGetDelete_WorkOnManyKeys()
    {
        var c = await Products();
        var batch = Enumerable.Range(0, 20).Select(i => Sample($"p{i}")).ToList();
        batch.Add(new Product { Id = "p3", Name = "last wins", Embedding = new float[] { 0, 0, 0, 1 } });
        await c.UpsertAsync(batch, Ct);
        var some = await c.GetAsync(["p1", "p3", "missing"], cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["p1", "p3"], some.Select(p => p.Id).Order());
        Assert.Equal("last wins", some.Single(p => p.Id == "p3").Name);
        await c.DeleteAsync(["p1", "p2", "missing"], Ct);
        await c.DeleteAsync("p4", Ct);
        Assert.Equal(17, Store.Client.GetCollection("products").Count());
        Assert.Null(await c.GetAsync("p2", cancellationToken: Ct));
    }

    [Fact]
    public async Task Upsert_WrongDimensions_IsRefusedAndWritesNothing()
    {
        var c = await Products();
        var bad = Sample("bad");
        bad.Embedding = new float[] { 1, 2, 3 };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync([Sample("ok"), bad], Ct));
        Assert.Contains("3 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Store.Client.GetCollection("products").Count());
    }

    [Fact]
    public async Task Upsert_NaNVector_SurfacesAsVectorStoreException()
    {
        var c = await Products();
        var bad = Sample();
        bad.Embedding = new float[] { float.NaN, 0, 0, 0 };
        var e = await Assert.ThrowsAsync<VectorStoreException>(() => c.UpsertAsync(bad, Ct));
        Assert.IsType<InvalidRecordException>(e.InnerException);
        Assert.Equal("Upsert", e.OperationName);
    }

    [Fact]
    public async Task Keys_OfEveryType_RoundTripThroughTheirEncoding()
    {
        await RoundTrip("s", new[] { "a", "ключ", "with space" });
        await RoundTrip("g", new[] { Guid.NewGuid(), new Guid("00000000-0000-0000-0000-000000000001") });
        await RoundTrip("i", new[] { 0, -1, int.MaxValue, int.MinValue });
        await RoundTrip("l", new[] { 0L, -5L, long.MaxValue, long.MinValue });
        Assert.Equal(["-1", "-2147483648", "0", "2147483647"], Store.Client.GetCollection("i").Get().Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    private async Task RoundTrip<TKey>(string name, TKey[] keys)
        where TKey : notnull
    {
        var c = Store.GetCollection<TKey, KeyedRecord<TKey>>(name);
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(keys.Select(k => new KeyedRecord<TKey> { Key = k, Text = $"{k}", Vector = [1, 2, 3] }), Ct);
        foreach (var k in keys)
            Assert.Equal($"{k}", (await c.GetAsync(k, cancellationToken: Ct))!.Text);
        var all = await c.GetAsync(r => true, 100, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(keys.Order(), all.Select(r => r.Key).Order());
    }

    [Fact]
    public async Task GuidKey_LeftEmpty_IsGeneratedAndWrittenBack()
    {
        var c = Store.GetCollection<Guid, KeyedRecord<Guid>>("auto");
        await c.EnsureCollectionExistsAsync(Ct);
        var record = new KeyedRecord<Guid> { Text = "new", Vector = [1, 0, 0] };
        await c.UpsertAsync(record, Ct);
        Assert.NotEqual(Guid.Empty, record.Key);
        Assert.Equal("new", (await c.GetAsync(record.Key, cancellationToken: Ct))!.Text);
    }

    [Fact]
    public async Task IntCollection_OverAStringId_ThrowsNamingTheId()
    {
        Store.Client.CreateCollection("mixed", new CollectionOptions { Dimensions = 3 });
        Store.Client.GetCollection("mixed").Add("not-a-number", [1, 2, 3]);
        var c = Store.GetCollection<int, KeyedRecord<int>>("mixed");
        var e = await Assert.ThrowsAsync<VectorStoreException>(async () => await c.GetAsync(r => true, 10, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Contains("'not-a-number'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredValue_ThatDoesNotFitTheProperty_ThrowsNamingIt()
    {
        var c = await Products();
        Store.Client.GetCollection("products").Add("odd", [1, 0, 0, 0], metadata: new Dictionary<string, object?> { ["Stock"] = "many" });
        var e = await Assert.ThrowsAsync<VectorStoreException>(() => c.GetAsync("odd", cancellationToken: Ct));
        Assert.Contains("'Stock'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DynamicCollection_StoresAndReadsDictionaries()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(long)),
                new VectorStoreDataProperty("Title", typeof(string)),
                new VectorStoreDataProperty("Year", typeof(int)) { StorageName = "year" },
                new VectorStoreDataProperty("Score", typeof(double?)),
                new VectorStoreVectorProperty("Vec", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = DistanceFunction.EuclideanDistance },
            ],
        };
        var c = Store.GetDynamicCollection("dynamic", definition);
        await c.EnsureCollectionExistsAsync(Ct);
        Assert.Equal(DistanceMetric.L2, Store.Client.GetCollection("dynamic").Options.Metric);
        await c.UpsertAsync(
        [
            new Dictionary<string, object?> { ["Key"] = 1L, ["Title"] = "one", ["Year"] = 2001, ["Score"] = 0.5, ["Vec"] = new ReadOnlyMemory<float>([0f, 0f]) },
            new Dictionary<string, object?> { ["Key"] = 2L, ["Title"] = "two", ["Year"] = 2002, ["Score"] = null, ["Vec"] = new ReadOnlyMemory<float>([3f, 4f]) },
        ], Ct);
        var one = await c.GetAsync(1L, new RecordRetrievalOptions { IncludeVectors = true }, Ct);
        Assert.Equal("one", one!["Title"]);
        Assert.Equal(2001, one["Year"]);
        Assert.Equal(0.5, one["Score"]);
        Assert.Equal([0f, 0f], ((ReadOnlyMemory<float>)one["Vec"]!).ToArray());
        var near = await c.SearchAsync(new ReadOnlyMemory<float>([0f, 0f]), 2, new() { Filter = r => (int)r["Year"]! >= 2001 }, Ct).ToListAsync(Ct);
        Assert.Equal([1L, 2L], near.Select(r => (long)r.Record["Key"]!));
        Assert.Equal(5.0, near[1].Score!.Value, 5);
        Assert.Null(near[1].Record["Score"]);
    }

    [Fact]
    public async Task DynamicCollection_RecordWithoutAProperty_StoresItAsNull()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(string)),
                new VectorStoreDataProperty("Title", typeof(string)),
                new VectorStoreVectorProperty("Vec", typeof(float[]), 2),
            ],
        };
        var c = Store.GetDynamicCollection("sparse", definition);
        await c.EnsureCollectionExistsAsync(Ct);
        await c.UpsertAsync(new Dictionary<string, object?> { ["Key"] = "k", ["Vec"] = new float[] { 1, 2 } }, Ct);
        var back = await c.GetAsync("k", cancellationToken: Ct);
        Assert.Null(back!["Title"]);
        var noVector = await Assert.ThrowsAnyAsync<Exception>(() => c.UpsertAsync(new Dictionary<string, object?> { ["Key"] = "v" }, Ct));
        Assert.Contains("Vec", noVector.Message, StringComparison.Ordinal);
    }
}

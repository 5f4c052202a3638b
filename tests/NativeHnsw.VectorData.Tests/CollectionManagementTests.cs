using Microsoft.Extensions.VectorData;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData.Tests;

public sealed class CollectionManagementTests : StoreTest
{
    [Fact]
    public async Task EnsureExists_CreatesOnceAndListsIt()
    {
        var products = Store.GetCollection<string, Product>("products");
        Assert.False(await products.CollectionExistsAsync(Ct));
        Assert.False(await Store.CollectionExistsAsync("products", Ct));
        await products.EnsureCollectionExistsAsync(Ct);
        await products.EnsureCollectionExistsAsync(Ct);
        Assert.True(await products.CollectionExistsAsync(Ct));
        Assert.Equal(["products"], await Store.ListCollectionNamesAsync(Ct).ToListAsync(Ct));
        var created = Store.Client.GetCollection("products").Options;
        Assert.Equal(4, created.Dimensions);
        Assert.Equal(DistanceMetric.Cosine, created.Metric);
    }

    [Fact]
    public async Task EnsureDeleted_RemovesAndIsIdempotent()
    {
        var products = Store.GetCollection<string, Product>("products");
        await products.EnsureCollectionExistsAsync(Ct);
        await products.EnsureCollectionDeletedAsync(Ct);
        await products.EnsureCollectionDeletedAsync(Ct);
        await Store.EnsureCollectionDeletedAsync("never-created", Ct);
        Assert.False(await products.CollectionExistsAsync(Ct));
        Assert.Empty(await Store.ListCollectionNamesAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task EnsureExists_WithOtherDimensions_ThrowsVectorStoreException()
    {
        Store.Client.CreateCollection("products", new CollectionOptions { Dimensions = 8 });
        var products = Store.GetCollection<string, Product>("products");
        var e = await Assert.ThrowsAsync<VectorStoreException>(() => products.EnsureCollectionExistsAsync(Ct));
        Assert.Contains("8 dimensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_OnMissingCollection_ThrowVectorStoreExceptionNamingIt()
    {
        var products = Store.GetCollection<string, Product>("absent");
        var e = await Assert.ThrowsAsync<VectorStoreException>(() => products.GetAsync("x", cancellationToken: Ct));
        Assert.Equal("absent", e.CollectionName);
        Assert.Equal("Get", e.OperationName);
        Assert.Equal(NativeHnswVectorStore.SystemName, e.VectorStoreSystemName);
        Assert.IsType<CollectionNotFoundException>(e.InnerException);
    }

    [Fact]
    public void Metadata_IsReported()
    {
        var metadata = (VectorStoreMetadata?)Store.GetService(typeof(VectorStoreMetadata));
        Assert.Equal(NativeHnswVectorStore.SystemName, metadata!.VectorStoreSystemName);
        var products = Store.GetCollection<string, Product>("products");
        var collectionMetadata = (VectorStoreCollectionMetadata?)products.GetService(typeof(VectorStoreCollectionMetadata));
        Assert.Equal("products", collectionMetadata!.CollectionName);
        Assert.Same(Store.Client, products.GetService(typeof(PersistentClient)));
    }

    [Fact]
    public async Task Store_FromPath_SurvivesReopen()
    {
        string path = Dir.File("reopened");
        using (var first = new NativeHnswVectorStore(path))
        {
            var c = first.GetCollection<int, KeyedRecord<int>>("keys");
            await c.EnsureCollectionExistsAsync(Ct);
            await c.UpsertAsync(new KeyedRecord<int> { Key = 7, Text = "seven", Vector = [1, 0, 0] }, Ct);
        }
        using var second = new NativeHnswVectorStore(path);
        var again = await second.GetCollection<int, KeyedRecord<int>>("keys").GetAsync(7, cancellationToken: Ct);
        Assert.Equal("seven", again!.Text);
    }

    [Fact]
    public void Schema_Unsupported_IsRefusedWhenTheCollectionIsObtained()
    {
        var dates = Assert.ThrowsAny<Exception>(() => Store.GetCollection<string, WithDate>("d"));
        Assert.Contains("DateTime", dates.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Store.GetCollection<string, TwoVectors>("v"));
        var hamming = Assert.Throws<NotSupportedException>(() => Store.GetCollection<string, HammingRecord>("h"));
        Assert.Contains("HammingDistance", hamming.Message, StringComparison.Ordinal);
        var flat = Assert.Throws<NotSupportedException>(() => Store.GetCollection<string, FlatRecord>("f"));
        Assert.Contains("Flat", flat.Message, StringComparison.Ordinal);
        var key = Assert.Throws<NotSupportedException>(() => Store.GetCollection<DateTime, DateKeyed>("k"));
        Assert.Contains("string, Guid, int, long", key.Message, StringComparison.Ordinal);
    }

    public sealed class WithDate
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreData] public DateTime When { get; set; }
        [VectorStoreVector(2)] public float[] V { get; set; } = [];
    }

    public sealed class TwoVectors
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreVector(2)] public float[] A { get; set; } = [];
        [VectorStoreVector(2)] public float[] B { get; set; } = [];
    }

    public sealed class HammingRecord
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreVector(2, DistanceFunction = DistanceFunction.HammingDistance)] public float[] V { get; set; } = [];
    }

    public sealed class FlatRecord
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreVector(2, IndexKind = IndexKind.Flat)] public float[] V { get; set; } = [];
    }

    public sealed class DateKeyed
    {
        [VectorStoreKey] public DateTime Id { get; set; }
        [VectorStoreVector(2)] public float[] V { get; set; } = [];
    }
}

using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData.Tests;

/// <summary>A record with a data property of every supported type, one of them renamed in storage and one nullable.</summary>
public sealed class Product
{
    [VectorStoreKey]
    public string Id { get; set; } = "";

    [VectorStoreData(StorageName = "product_name")]
    public string Name { get; set; } = "";

    [VectorStoreData(IsIndexed = true)]
    public int Stock { get; set; }

    [VectorStoreData]
    public long Sold { get; set; }

    [VectorStoreData]
    public double Price { get; set; }

    [VectorStoreData]
    public float Rating { get; set; }

    [VectorStoreData]
    public bool InStock { get; set; }

    [VectorStoreData]
    public int? Discount { get; set; }

    [VectorStoreData]
    public string? Category { get; set; }

    [VectorStoreVector(4, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float> Embedding { get; set; }
}

using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData.Tests;

/// <summary>A minimal record for the key-type tests.</summary>
public sealed class KeyedRecord<TKey>
{
    [VectorStoreKey]
    public TKey Key { get; set; } = default!;

    [VectorStoreData]
    public string Text { get; set; } = "";

    [VectorStoreVector(3)]
    public float[] Vector { get; set; } = [];
}

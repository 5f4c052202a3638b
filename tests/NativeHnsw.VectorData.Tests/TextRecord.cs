using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData.Tests;

/// <summary>A record whose vector is generated from its text by the abstraction's embedding generation.</summary>
public sealed class TextRecord
{
    [VectorStoreKey]
    public int Id { get; set; }

    [VectorStoreData]
    public string Topic { get; set; } = "";

    [VectorStoreVector(LetterEmbeddingGenerator.Dimensions)]
    public string Text { get; set; } = "";
}

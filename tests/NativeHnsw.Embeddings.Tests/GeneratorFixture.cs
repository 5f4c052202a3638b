using NativeHnsw.Embeddings;

namespace NativeHnsw.Embeddings.Tests;

/// <summary>One loaded model for the whole test class: loading it takes about a second.</summary>
public sealed class GeneratorFixture : IDisposable
{
    public MiniLmEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}

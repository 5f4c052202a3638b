using System.Globalization;

namespace NativeHnsw.Storage;

/// <summary>
/// Which embedding generator a collection's vectors came from: its model id and the dimensions of its embeddings.
/// Stored with the collection; a collection reopened with a generator of another identity is refused (vectors of two
/// models are not comparable) unless the caller asks for its documents to be re-embedded.
/// </summary>
/// <param name="ModelId">The generator's <c>DefaultModelId</c>, else its provider name, else its type's full name.</param>
/// <param name="Dimensions">The generator's <c>DefaultModelDimensions</c>, else the length of a probe embedding.</param>
public sealed record EmbeddingIdentity(string ModelId, int Dimensions)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"model '{ModelId}' ({Dimensions} dimensions)");
}

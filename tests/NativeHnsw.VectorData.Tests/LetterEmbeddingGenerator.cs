using Microsoft.Extensions.AI;

namespace NativeHnsw.VectorData.Tests;

/// <summary>
/// A small, exact embedding generator for tests: letter counts a–z, normalised. Texts sharing letters are close, so
/// search results are predictable; it counts its calls so tests can see generation happen once per batch. Its
/// metadata names <paramref name="modelId"/>, the identity a generator-backed collection stores; a reversed one maps
/// 'a' to the last component, so its vectors differ from the plain one's for the same text.
/// </summary>
public sealed class LetterEmbeddingGenerator(string modelId = LetterEmbeddingGenerator.DefaultModelId, bool reversed = false) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 26;

    public const string DefaultModelId = "letter-counts";

    private readonly EmbeddingGeneratorMetadata _metadata = new("tests", null, modelId, Dimensions);

    public int Calls { get; private set; }

    public static float[] Embed(string text) => Embed(text, reversed: false);

    public static float[] Embed(string text, bool reversed)
    {
        var v = new float[Dimensions];
        foreach (char c in text.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z')
                v[reversed ? 'z' - c : c - 'a']++;
        }
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm > 0)
        {
            for (int i = 0; i < v.Length; i++)
                v[i] /= norm;
        }
        else
        {
            v[25] = 1;
        }
        return v;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v, reversed)))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

using Microsoft.Extensions.AI;

namespace NativeHnsw.VectorData.Tests;

/// <summary>
/// A small, exact embedding generator for tests: letter counts a–z, normalised. Texts sharing letters are close, so
/// search results are predictable; it counts its calls so tests can see generation happen once per batch.
/// </summary>
public sealed class LetterEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 26;

    public int Calls { get; private set; }

    public static float[] Embed(string text)
    {
        var v = new float[Dimensions];
        foreach (char c in text.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z')
                v[c - 'a']++;
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
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

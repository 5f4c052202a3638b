using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.AI;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// A deterministic embedding generator for tests: each lower-cased word adds ±1 to two components chosen by its
/// XxHash32, and the sum is normalised, so texts that share words are near. A text containing "NaN!" gets a NaN
/// component and one containing "short!" one component too few, to test that generated vectors are checked.
/// </summary>
internal sealed class WordHashGenerator(string? modelId, int dimensions, bool statesDimensions = true) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("word-hash", null, modelId, statesDimensions ? dimensions : null);

    /// <summary>Texts embedded so far, over every call.</summary>
    public int TextsEmbedded { get; private set; }

    public int Calls { get; private set; }

    public float[] Embed(string text)
    {
        var vector = new float[dimensions];
        foreach (string word in text.ToLowerInvariant().Split([' ', ',', '.', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            uint hash = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(word));
            vector[hash % (uint)dimensions] += (hash & 0x8000_0000) == 0 ? 1f : -1f;
            vector[(hash >> 8) % (uint)dimensions] += 0.5f;
        }
        float norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm == 0f)
            vector[0] = 1f;
        else
            for (int i = 0; i < dimensions; i++)
                vector[i] /= norm;
        if (text.Contains("NaN!", StringComparison.Ordinal))
            vector[1] = float.NaN;
        if (text.Contains("short!", StringComparison.Ordinal))
            return vector[..^1];
        return vector;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string value in values)
        {
            TextsEmbedded++;
            result.Add(new Embedding<float>(Embed(value)) { ModelId = modelId });
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_metadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

using System.Globalization;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// A collection's metadata: the caller's keys, stored as JSON in <c>collections.metadata</c>, and Chroma's
/// <c>hnsw:</c> keys, which are not stored as metadata but map onto <see cref="CollectionOptions"/>.
/// </summary>
internal static class CollectionMetadata
{
    public const string Prefix = "hnsw:";

    /// <summary>
    /// Applies the <c>hnsw:</c> keys of <paramref name="metadata"/> to <paramref name="options"/> and returns the rest,
    /// normalised (null when nothing remains). An unknown or unsupported <c>hnsw:</c> key, or a bad value, is refused.
    /// </summary>
    public static CollectionOptions Apply(string collection, CollectionOptions options, IReadOnlyDictionary<string, object?>? metadata, out Dictionary<string, object>? user)
    {
        user = null;
        if (metadata is null)
            return options;
        foreach (var (key, value) in metadata)
        {
            if (key is null)
                throw new ArgumentException($"collection '{collection}': a metadata key is null.", nameof(metadata));
            if (key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                options = ApplyOption(collection, options, key, value);
                continue;
            }
            if (MetadataValues.KeyProblem(key) is { } keyProblem)
                throw new ArgumentException($"collection '{collection}': {keyProblem}.", nameof(metadata));
            if (value is null)
                continue;
            object normalized = MetadataValues.Normalize(value, out string? problem)
                ?? throw new ArgumentException($"collection '{collection}': metadata '{key}': {problem}.", nameof(metadata));
            (user ??= new Dictionary<string, object>(StringComparer.Ordinal))[key] = normalized;
        }
        return options;
    }

    /// <summary>Refuses <c>hnsw:</c> keys (the options are fixed at creation) and returns the caller's keys, normalised.</summary>
    public static Dictionary<string, object>? UserOnly(string collection, IReadOnlyDictionary<string, object?> metadata)
    {
        foreach (string key in metadata.Keys)
        {
            if (key is not null && key.StartsWith(Prefix, StringComparison.Ordinal))
                throw new ArgumentException($"collection '{collection}': '{key}' cannot be changed after the collection is created (its index is built with it); create a new collection.", nameof(metadata));
        }
        Apply(collection, new CollectionOptions { Dimensions = 1 }, metadata, out var user);
        return user;
    }

    private static CollectionOptions ApplyOption(string collection, CollectionOptions options, string key, object? value)
    {
        string where = $"collection '{collection}': metadata '{key}'";
        switch (key)
        {
            case "hnsw:space":
                return options with
                {
                    Metric = value switch
                    {
                        "cosine" => DistanceMetric.Cosine,
                        "l2" => DistanceMetric.L2,
                        "ip" => DistanceMetric.InnerProduct,
                        _ => throw new ArgumentException($"{where} is {Describe(value)}; expected \"cosine\", \"l2\" or \"ip\".", nameof(value)),
                    },
                };
            case "hnsw:M":
                return options with { M = Integer(where, value) };
            case "hnsw:construction_ef":
                return options with { EfConstruction = Integer(where, value) };
            case "hnsw:search_ef":
                return options with { DefaultEf = Integer(where, value) };
            case "hnsw:num_threads" or "hnsw:batch_size" or "hnsw:sync_threshold" or "hnsw:resize_factor":
                throw new ArgumentException($"{where} is not supported: threads are StoreOptions.MaxDegreeOfParallelism, and batching, syncing and growth are the store's own (docs/STORAGE.md).", nameof(value));
            default:
                throw new ArgumentException($"{where} is not a known HNSW option; known: hnsw:space, hnsw:M, hnsw:construction_ef, hnsw:search_ef.", nameof(value));
        }
    }

    private static int Integer(string where, object? value) => value switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        _ => throw new ArgumentException($"{where} is {Describe(value)}; expected an integer.", nameof(value)),
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? value.GetType().Name,
    };
}

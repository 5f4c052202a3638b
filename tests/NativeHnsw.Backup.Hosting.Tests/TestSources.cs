using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Small seeded sources to back up: an index file, and a store with one collection.</summary>
internal static class TestSources
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    public static string SaveIndex(string path, int count = 300, int dimensions = 8, int seed = 7)
    {
        using var built = new HnswIndex(new HnswOptions { Dimensions = dimensions, M = 8, EfConstruction = 32, Seed = (ulong)seed });
        built.AddRange(Datasets.RowLabels(count), Datasets.Gaussian(count, dimensions, seed), maxDegreeOfParallelism: 1);
        built.Save(path);
        return path;
    }

    /// <summary>Adds records r{from}… to the store in <paramref name="folder"/> (created if need be).</summary>
    public static void AddToStore(string folder, int from, int count)
    {
        using var client = new PersistentClient(folder, s_quiet);
        var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
        var random = new Random(from);
        for (int i = from; i < from + count; i++)
            docs.Add($"r{i}", [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())], $"doc {i}");
    }
}

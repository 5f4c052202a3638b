using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>Seeded store contents (also compiled into the CLI tests, so both fill stores the same way).</summary>
internal static class TestStores
{
    public static void Fill(Collection collection, int count, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, count).Select(i => "r" + i).ToList();
        var vectors = ids.Select(_ => Vector(random, collection.Options.Dimensions)).ToList();
        var documents = ids.Select(id => (string?)("doc " + id)).ToList();
        var metadatas = ids.Select((_, i) => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["i"] = (long)i, ["even"] = i % 2 == 0, ["f"] = i / 4.0 }).ToList();
        collection.Add(ids, vectors, documents, metadatas);
    }

    public static float[] Vector(Random random, int dims) => [.. Enumerable.Range(0, dims).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}

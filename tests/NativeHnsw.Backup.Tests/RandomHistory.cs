using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>One random write to a store: record upserts, document/metadata-only updates, deletes, and collection creation, renames, metadata changes and deletion.</summary>
internal static class RandomHistory
{
    public static void Op(PersistentClient client, Random random)
    {
        var names = client.ListCollections();
        int kind = random.Next(20);
        if (kind == 0 && !names.Contains("extra") && !names.Contains("renamed"))
        {
            client.CreateCollection("extra", new CollectionOptions { Dimensions = 3, Metric = DistanceMetric.L2 },
                new Dictionary<string, object?> { ["owner"] = "t" + random.Next(9) });
            return;
        }
        if (kind == 1 && names.Contains("extra"))
        {
            client.GetCollection("extra").Modify(name: random.Next(2) == 0 ? "renamed" : null, metadata: new Dictionary<string, object?> { ["v"] = (long)random.Next(9) });
            return;
        }
        if (kind == 2 && names.Contains("renamed"))
        {
            client.DeleteCollection("renamed");
            return;
        }
        string name = names[random.Next(names.Count)];
        var collection = client.GetCollection(name);
        int dims = collection.Options.Dimensions;
        var ids = Enumerable.Range(0, random.Next(1, 4)).Select(_ => "r" + random.Next(12)).Distinct().ToList();
        var existing = collection.Get(ids, include: Include.None).Select(r => r.Id).ToList();
        if (kind < 12)
        {
            collection.Upsert(ids, [.. ids.Select(_ => (float[]?)Vector(random, dims))],
                [.. ids.Select(_ => random.Next(3) == 0 ? null : "doc " + random.Next(100))],
                [.. ids.Select(_ => Metadata(random))]);
        }
        else if (kind < 16 && existing.Count > 0)
        {
            // No vector: only the document and metadata change, which the index's own log does not record.
            collection.Update(existing, null, [.. existing.Select(_ => random.Next(2) == 0 ? null : "new " + random.Next(100))],
                [.. existing.Select(_ => Metadata(random))]);
        }
        else
        {
            collection.Delete(ids);
        }
    }

    private static float[] Vector(Random random, int dims) => [.. Enumerable.Range(0, dims).Select(_ => (float)(random.NextDouble() * 2 - 1) + 0.01f)];

    private static IReadOnlyDictionary<string, object?>? Metadata(Random random) => random.Next(4) switch
    {
        0 => null,
        1 => new Dictionary<string, object?> { ["n"] = (long)random.Next(5), ["gone"] = null },
        2 => new Dictionary<string, object?> { ["f"] = random.Next(5) / 2.0, ["b"] = random.Next(2) == 0 },
        _ => new Dictionary<string, object?> { ["s"] = "v" + random.Next(5), ["n"] = null },
    };
}

using System.Globalization;
using System.Text;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>A store's whole content as text, one line per collection and record, for exact comparisons.</summary>
internal static class StoreDump
{
    public static SortedDictionary<string, SortedDictionary<string, string>> Of(PersistentClient client)
    {
        var dump = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (string name in client.ListCollections())
        {
            var collection = client.GetCollection(name);
            var records = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["#collection"] = $"{collection.Options} {Metadata(collection.Metadata)}",
            };
            foreach (var r in collection.Get(include: Include.Documents | Include.Metadatas | Include.Embeddings))
                records[r.Id] = Record(r.Embedding!, r.Document, r.Metadata);
            dump[name] = records;
        }
        return dump;
    }

    public static SortedDictionary<string, SortedDictionary<string, string>> Of(string storeFolder)
    {
        using var client = new PersistentClient(storeFolder, new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null, OnDispose = false, AfterReplayOf = 0 }, Log = _ => { } });
        return Of(client);
    }

    public static string Record(float[] vector, string? document, IReadOnlyDictionary<string, object>? metadata) =>
        string.Join(",", vector.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)))
        + " | " + (document ?? "<null>") + " | " + Metadata(metadata);

    public static string Metadata(IReadOnlyDictionary<string, object>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
            return "{}";
        var text = new StringBuilder("{");
        foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"{k}={v.GetType().Name}:{Convert.ToString(v, CultureInfo.InvariantCulture)};");
        return text.Append('}').ToString();
    }

    public static string Describe(SortedDictionary<string, SortedDictionary<string, string>> dump) =>
        string.Join("\n", dump.SelectMany(c => c.Value.Select(r => $"{c.Key}/{r.Key}: {r.Value}")));
}

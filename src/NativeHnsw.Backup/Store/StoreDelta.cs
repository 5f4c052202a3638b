using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NativeHnsw.Backup.Internal;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup;

/// <summary>
/// The changes file of an incremental store backup (JSON): collections dropped since the parent, and per collection
/// whether it is new (with its options), its own metadata (whole, each value typed), the ids deleted, and the records new or changed, each whole (vector as
/// base64 float32 little-endian, document, metadata with each value's type). Applying it brings a store at the
/// parent's state to the incremental's.
/// </summary>
internal static class StoreDelta
{
    /// <summary>The role of a delta file in a manifest.</summary>
    public const string Role = "delta";

    public const string FileName = "delta.json";

    /// <summary>Diffs <paramref name="snapshot"/> against <paramref name="parent"/>, writing the delta to <paramref name="delta"/>; returns the snapshot's own state and the counts written.</summary>
    public static (StoreState State, int Upserts, int Deletes) Write(IStoreContent snapshot, StoreState? parent, string parentId, Stream delta)
    {
        var state = new Dictionary<string, StoreState.CollectionState>(StringComparer.Ordinal);
        int upserts = 0, deletes = 0;
        using var writer = delta == Stream.Null ? null : new Utf8JsonWriter(delta);
        writer?.WriteStartObject();
        writer?.WriteNumber("format", 1);
        writer?.WriteString("parent", parentId);
        writer?.WriteNumber("sequence", snapshot.Sequence);
        writer?.WriteStartArray("dropped");
        if (parent is not null)
        {
            foreach (var (name, old) in parent.Collections.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                // Gone, or deleted and created again under the same name (ids are never reused).
                if (snapshot.Collections.FirstOrDefault(c => c.Name == name) is not { } now || now.Id != old.Id)
                    writer?.WriteStringValue(name);
            }
        }
        writer?.WriteEndArray();
        writer?.WriteStartArray("collections");
        foreach (var c in snapshot.Collections)
        {
            StoreState.CollectionState? old = parent?.Collections.GetValueOrDefault(c.Name);
            if (old is not null && old.Id != c.Id)
                old = null;
            var digests = new Dictionary<string, string>(StringComparer.Ordinal);
            writer?.WriteStartObject();
            writer?.WriteString("name", c.Name);
            writer?.WriteBoolean("created", old is null);
            var o = c.Options;
            writer?.WriteStartObject("options");
            writer?.WriteNumber("dimensions", o.Dimensions);
            writer?.WriteNumber("metric", (int)o.Metric);
            writer?.WriteNumber("m", o.M);
            writer?.WriteNumber("efConstruction", o.EfConstruction);
            writer?.WriteNumber("defaultEf", o.DefaultEf);
            writer?.WriteNumber("seed", o.Seed);
            writer?.WriteEndObject();
            // The collection's own metadata, whole in every delta (a few keys): absent in deltas of older builds.
            if (writer is not null)
                WriteMetadata(writer, "collectionMetadata", snapshot.ReadCollectionMetadata(c));
            writer?.WriteStartArray("upserts");
            foreach (var record in snapshot.ReadRecords(c))
            {
                string digest = StoreState.Digest(record);
                digests[record.Id] = digest;
                if (writer is null || (old is not null && old.Records.TryGetValue(record.Id, out var was) && was == digest))
                    continue;
                upserts++;
                writer.WriteStartObject();
                writer.WriteString("id", record.Id);
                writer.WriteBase64String("vector", MemoryMarshal.AsBytes(record.Embedding.AsSpan()));
                writer.WriteString("document", record.Document);
                WriteMetadata(writer, "metadata", record.Metadata);
                writer.WriteEndObject();
            }
            writer?.WriteEndArray();
            writer?.WriteStartArray("deleted");
            if (old is not null)
            {
                foreach (string id in old.Records.Keys.Where(id => !digests.ContainsKey(id)).Order(StringComparer.Ordinal))
                {
                    writer?.WriteStringValue(id);
                    deletes++;
                }
            }
            writer?.WriteEndArray();
            writer?.WriteEndObject();
            state[c.Name] = new StoreState.CollectionState(c.Id, digests);
        }
        writer?.WriteEndArray();
        writer?.WriteEndObject();
        return (new StoreState(snapshot.Sequence, state), upserts, deletes);
    }

    /// <summary>Applies one incremental's changes onto a staged store (which holds its parent's state).</summary>
    public static void Apply(PersistentClient client, BackupManifest backup, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(backup.Id, $"its {FileName} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                var root = document.RootElement;
                if (root.GetProperty("format").GetInt32() != 1)
                    throw new BackupIntegrityException(backup.Id, $"its {FileName} is of a format this tool does not understand");
                if (root.GetProperty("parent").GetString() != backup.Parent)
                    throw new BackupChainException(backup.Id, $"its {FileName} was made against another parent than the manifest's '{backup.Parent}'");
                foreach (var name in root.GetProperty("dropped").EnumerateArray())
                    client.DeleteCollection(name.GetString()!);
                foreach (var c in root.GetProperty("collections").EnumerateArray())
                    ApplyCollection(client, c);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or StoreException or ArgumentException)
            {
                throw new BackupIntegrityException(backup.Id, $"its {FileName} cannot be applied: {e.Message}", e);
            }
        }
    }

    private static void ApplyCollection(PersistentClient client, JsonElement c)
    {
        string name = c.GetProperty("name").GetString()!;
        var o = c.GetProperty("options");
        var options = new CollectionOptions
        {
            Dimensions = o.GetProperty("dimensions").GetInt32(),
            Metric = (DistanceMetric)o.GetProperty("metric").GetInt32(),
            M = o.GetProperty("m").GetInt32(),
            EfConstruction = o.GetProperty("efConstruction").GetInt32(),
            DefaultEf = o.GetProperty("defaultEf").GetInt32(),
            Seed = o.GetProperty("seed").GetUInt64(),
        };
        bool hasMetadata = c.TryGetProperty("collectionMetadata", out var cm);
        var collectionMetadata = hasMetadata ? ReadMetadata(cm) : null;
        Collection collection;
        if (c.GetProperty("created").GetBoolean())
        {
            collection = client.CreateCollection(name, options, collectionMetadata);
        }
        else
        {
            collection = client.GetCollection(name);
            if (hasMetadata && !SameMetadata(collection.Metadata, collectionMetadata))
                collection.Modify(metadata: collectionMetadata ?? new Dictionary<string, object?>(StringComparer.Ordinal));
        }
        var deleted = c.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()!).ToList();
        var ids = new List<string>();
        var vectors = new List<float[]>();
        var documents = new List<string?>();
        var metadatas = new List<IReadOnlyDictionary<string, object?>?>();
        foreach (var r in c.GetProperty("upserts").EnumerateArray())
        {
            ids.Add(r.GetProperty("id").GetString()!);
            vectors.Add(MemoryMarshal.Cast<byte, float>(r.GetProperty("vector").GetBytesFromBase64()).ToArray());
            documents.Add(r.GetProperty("document").GetString());
            metadatas.Add(ReadMetadata(r.GetProperty("metadata")));
        }
        // A changed record is stored whole: delete it and add it again, so a document or metadata key it lost is gone too.
        foreach (var chunk in deleted.Concat(ids).Chunk(1_000))
            collection.Delete(chunk);
        if (ids.Count > 0)
            collection.Add(ids, vectors, documents, metadatas);
    }

    /// <summary>Metadata as an array of [key, kind, text] sorted by key, or null.</summary>
    private static void WriteMetadata(Utf8JsonWriter writer, string property, IReadOnlyDictionary<string, object>? metadata)
    {
        if (metadata is null)
        {
            writer.WriteNull(property);
            return;
        }
        writer.WriteStartArray(property);
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var (kind, text) = Typed(value);
            writer.WriteStartArray();
            writer.WriteStringValue(key);
            writer.WriteStringValue(kind);
            writer.WriteStringValue(text);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    private static Dictionary<string, object?>? ReadMetadata(JsonElement m)
    {
        if (m.ValueKind == JsonValueKind.Null)
            return null;
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var entry in m.EnumerateArray())
            map[entry[0].GetString()!] = Untyped(entry[1].GetString()!, entry[2].GetString()!);
        return map;
    }

    private static bool SameMetadata(IReadOnlyDictionary<string, object>? now, Dictionary<string, object?>? wanted) =>
        (now is null || now.Count == 0) ? wanted is null || wanted.Count == 0
        : wanted is not null && now.Count == wanted.Count && now.All(p => wanted.TryGetValue(p.Key, out var v) && Equals(v, p.Value));

    /// <summary>A metadata value as a kind letter and invariant text that round-trips it exactly.</summary>
    internal static (string Kind, string Text) Typed(object value) => value switch
    {
        string s => ("s", s),
        long l => ("i", l.ToString(CultureInfo.InvariantCulture)),
        double d => ("f", d.ToString("R", CultureInfo.InvariantCulture)),
        bool b => ("b", b ? "true" : "false"),
        _ => throw new InvalidOperationException($"unexpected metadata value of type {value.GetType().Name}"),
    };

    private static object Untyped(string kind, string text) => kind switch
    {
        "s" => text,
        "i" => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        "f" => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        "b" => text == "true",
        _ => throw new FormatException($"unknown metadata kind '{kind}'"),
    };
}

using System.Text.Json;

namespace NativeHnsw.Backup.Internal;

/// <summary>
/// What an incremental store backup leaves for the next one instead of a whole <see cref="StoreState"/>: only what
/// changed since its parent's state — collections dropped, collections new or re-created (with all their digests),
/// and per kept collection the digests of records new or changed and the ids deleted. Its size follows the change,
/// not the store. The state of an incremental is its chain's newest whole state with every patch after it applied in
/// order (<see cref="StoreBackup"/> reads it so).
/// </summary>
internal static class StoreStatePatch
{
    public const string Role = "state-patch";
    public const string FileName = "state-patch.json";

    public static void Write(StoreState parent, StoreState state, Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteNumber("format", 1);
        writer.WriteNumber("sequence", state.Sequence);
        writer.WriteStartArray("dropped");
        foreach (var (name, old) in parent.Collections.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!state.Collections.TryGetValue(name, out var now) || now.Id != old.Id)
                writer.WriteStringValue(name);
        }
        writer.WriteEndArray();
        writer.WriteStartArray("collections");
        foreach (var (name, c) in state.Collections.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var old = parent.Collections.GetValueOrDefault(name);
            if (old is not null && old.Id != c.Id)
                old = null;
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteNumber("id", c.Id);
            writer.WriteStartObject("records");
            foreach (var (id, digest) in c.Records)
            {
                if (old is null || !old.Records.TryGetValue(id, out var was) || was != digest)
                    writer.WriteString(id, digest);
            }
            writer.WriteEndObject();
            writer.WriteStartArray("deleted");
            if (old is not null)
            {
                foreach (var id in old.Records.Keys)
                {
                    if (!c.Records.ContainsKey(id))
                        writer.WriteStringValue(id);
                }
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Applies a patch read from <paramref name="utf8"/> to <paramref name="state"/>, giving the state of the backup that wrote it.</summary>
    public static StoreState Apply(StoreState state, byte[] utf8, string backupId)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != 1)
                throw new BackupIntegrityException(backupId, $"its {FileName} is of an unknown format {root.GetProperty("format").GetInt32()}");
            var collections = new Dictionary<string, StoreState.CollectionState>(state.Collections, StringComparer.Ordinal);
            foreach (var name in root.GetProperty("dropped").EnumerateArray())
                collections.Remove(name.GetString()!);
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in root.GetProperty("collections").EnumerateArray())
            {
                string name = c.GetProperty("name").GetString()!;
                long id = c.GetProperty("id").GetInt64();
                named.Add(name);
                var records = collections.TryGetValue(name, out var old) && old.Id == id
                    ? new Dictionary<string, string>(old.Records, StringComparer.Ordinal)
                    : new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var r in c.GetProperty("records").EnumerateObject())
                    records[r.Name] = r.Value.GetString()!;
                foreach (var d in c.GetProperty("deleted").EnumerateArray())
                    records.Remove(d.GetString()!);
                collections[name] = new StoreState.CollectionState(id, records);
            }
            // Every collection of the new state is listed, changed or not: one not listed is gone.
            foreach (var name in collections.Keys.Where(n => !named.Contains(n)).ToList())
                collections.Remove(name);
            return new StoreState(root.GetProperty("sequence").GetInt64(), collections);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BackupIntegrityException(backupId, $"its {FileName} cannot be read: {e.Message}", e);
        }
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Internal;

/// <summary>
/// What a store backup leaves for the next incremental to diff against: per collection its id and options, and per
/// record a 128-bit digest of its vector, document and metadata. Stored in every store backup as the <c>state</c> file,
/// so an incremental needs only its parent's state, never its data.
/// </summary>
internal sealed class StoreState
{
    public const string Role = "state";
    public const string FileName = "state.json";

    public StoreState(long sequence, Dictionary<string, CollectionState> collections)
    {
        Sequence = sequence;
        Collections = collections;
    }

    public long Sequence { get; }

    public Dictionary<string, CollectionState> Collections { get; }

    public static string Digest(StoredRecord record)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(record.Embedding.AsSpan()));
        Append(hash, record.Document);
        if (record.Metadata is null)
        {
            hash.AppendData([0]);
        }
        else
        {
            hash.AppendData([1]);
            foreach (var (key, value) in record.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var (kind, text) = StoreDelta.Typed(value);
                Append(hash, key);
                Append(hash, kind + text);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    public void Write(Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteNumber("sequence", Sequence);
        writer.WriteStartArray("collections");
        foreach (var (name, c) in Collections.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteNumber("id", c.Id);
            writer.WriteStartObject("records");
            foreach (var (id, digest) in c.Records)
                writer.WriteString(id, digest);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static StoreState Read(byte[] utf8, string backupId)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            var collections = new Dictionary<string, CollectionState>(StringComparer.Ordinal);
            foreach (var c in root.GetProperty("collections").EnumerateArray())
            {
                var records = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var r in c.GetProperty("records").EnumerateObject())
                    records[r.Name] = r.Value.GetString()!;
                collections[c.GetProperty("name").GetString()!] = new CollectionState(c.GetProperty("id").GetInt64(), records);
            }
            return new StoreState(root.GetProperty("sequence").GetInt64(), collections);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BackupIntegrityException(backupId, $"its {FileName} cannot be read: {e.Message}", e);
        }
    }

    private static void Append(IncrementalHash hash, string? text)
    {
        if (text is null)
        {
            hash.AppendData([0]);
            return;
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData([1]);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }

    internal sealed record CollectionState(long Id, Dictionary<string, string> Records);

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Backup;

/// <summary>
/// A file's chunks as manifest format 3 lists them: an array of strings, each <c>KEY:LENGTH</c> for up to
/// <see cref="PerString"/> chunks in file order, separated by single spaces (KEY 64 lowercase hex digits, LENGTH
/// decimal). A store backup lists a chunk per 4 KiB page; as objects (format 2) they made most of a manifest's bytes
/// and of its parse, which every restore pays for every manifest in its target when it chooses one. A chunk's key
/// stays as its store names it, so a manifest can still be searched for a key.
/// </summary>
internal sealed class ChunkListJsonConverter : JsonConverter<IReadOnlyList<ChunkRef>>
{
    /// <summary>Chunks per string: a few kilobytes each, so no file's list becomes one huge token.</summary>
    internal const int PerString = 128;

    private const int KeyChars = 64;

    public override IReadOnlyList<ChunkRef> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException($"format 3 lists a file's chunks as an array of strings \"KEY:LENGTH …\", not {reader.TokenType}");
        var chunks = new List<ChunkRef>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            // Written unescaped (hex, digits, ':' and ' '); an escaped one is someone's edit, read the slow way.
            ReadOnlySpan<byte> text = reader.ValueIsEscaped || reader.HasValueSequence ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            Parse(text, chunks);
        }
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"format 3 lists a file's chunks as strings; after chunk {chunks.Count} comes a {reader.TokenType}");
        return chunks;
    }

    private static void Parse(ReadOnlySpan<byte> text, List<ChunkRef> into)
    {
        while (true)
        {
            int end = text.IndexOf((byte)' ');
            var item = end < 0 ? text : text[..end];
            if (item.Length < KeyChars + 2 || item[KeyChars] != (byte)':' || item[..KeyChars].IndexOfAnyExcept("0123456789abcdef"u8) >= 0
                || !Utf8Parser.TryParse(item[(KeyChars + 1)..], out int length, out int used) || used != item.Length - KeyChars - 1)
            {
                throw new JsonException($"chunk {into.Count} of the list is not KEY:LENGTH (64 lowercase hex digits, ':', a decimal length, one space between chunks)");
            }
            into.Add(new ChunkRef(Encoding.ASCII.GetString(item[..KeyChars]), length));
            if (end < 0)
                return;
            text = text[(end + 1)..];
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<ChunkRef> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(PerString * (KeyChars + 12));
        try
        {
            for (int first = 0; first < value.Count; first += PerString)
            {
                int at = 0;
                for (int i = first; i < Math.Min(value.Count, first + PerString); i++)
                {
                    if (i > first)
                        buffer[at++] = (byte)' ';
                    at += Encoding.ASCII.GetBytes(value[i].Sha256, buffer.AsSpan(at));
                    buffer[at++] = (byte)':';
                    Utf8Formatter.TryFormat(value[i].Length, buffer.AsSpan(at), out int written);
                    at += written;
                }
                writer.WriteStringValue(buffer.AsSpan(0, at));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        writer.WriteEndArray();
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Backup;

/// <summary>
/// A manifest's chunk, <c>{"sha256": "…", "length": N}</c>, read and written by hand: a store backup's manifest lists
/// thousands of them, and the serializer's general path for a record built through its constructor made reading
/// them most of what choosing a backup to restore cost. The JSON is the same as the serializer's (unknown properties
/// skipped, a missing one left null or 0 for <see cref="BackupManifest"/>'s checks to name).
/// </summary>
internal sealed class ChunkRefJsonConverter : JsonConverter<ChunkRef>
{
    // Straight to optimized code, as ChunkListText's parse: it runs early in a short process, thousands of times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override ChunkRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"a chunk must be an object with sha256 and length, not {reader.TokenType}");
        string? sha256 = null;
        int length = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("sha256"u8))
            {
                reader.Read();
                sha256 = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw new JsonException($"a chunk's sha256 must be a string, not {reader.TokenType}"),
                };
            }
            else if (reader.ValueTextEquals("length"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out length))
                    throw new JsonException("a chunk's length must be a 32-bit integer");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new JsonException("a chunk object is not closed");
        return new ChunkRef(sha256!, length);
    }

    public override void Write(Utf8JsonWriter writer, ChunkRef value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("sha256"u8, value.Sha256);
        writer.WriteNumber("length"u8, value.Length);
        writer.WriteEndObject();
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// Metadata values and their JSON form. A value is a string, an integer (kept as <see cref="long"/>), a
/// float (kept as <see cref="double"/>, always written with a fraction or exponent so it reads back as a
/// float) or a bool. Keys are non-empty, do not start with '$' or '#' (reserved for operators, as in Chroma)
/// and hold no '"' (they become JSON paths in SQL).
/// </summary>
internal static class MetadataValues
{
    /// <summary>The value in its stored type, or null with <paramref name="problem"/> set.</summary>
    public static object? Normalize(object? value, out string? problem)
    {
        problem = null;
        switch (value)
        {
            case string or bool:
                return value;
            case long or int or short or sbyte or byte or ushort or uint:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u when u <= long.MaxValue:
                return (long)u;
            case double or float or decimal or Half:
                double d = value is Half h ? (double)h : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d))
                {
                    problem = $"the number {d.ToString(CultureInfo.InvariantCulture)} is not finite";
                    return null;
                }
                return d;
            case null:
                problem = "null is not a value";
                return null;
            default:
                problem = $"values of type {value.GetType().Name} are not supported (use string, an integer, a floating-point number or bool)";
                return null;
        }
    }

    public static string? KeyProblem(string? key) =>
        string.IsNullOrEmpty(key) ? "a metadata key is empty"
        : key[0] is '$' or '#' ? $"metadata key '{key}' starts with '{key[0]}', which is reserved for operators"
        : key.Contains('"', StringComparison.Ordinal) ? $"metadata key '{key}' contains '\"'"
        : null;

    /// <summary>The JSON text of a normalised metadata map, or null for none or empty.</summary>
    public static string? ToJson(IReadOnlyDictionary<string, object>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
            return null;
        var buffer = new ArrayBufferWriter<byte>(64 * metadata.Count);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteValue(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteRawValue(FloatText(d));
                break;
            default:
                throw new InvalidOperationException($"Unexpected metadata value type {value.GetType()}.");
        }
    }

    /// <summary>Shortest round-trip text of <paramref name="d"/>, with ".0" added to an integral value so it stays a float.</summary>
    public static string FloatText(double d)
    {
        string text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0";
    }

    public static Dictionary<string, object>? FromJson(string? json)
    {
        if (json is null)
            return null;
        using var document = JsonDocument.Parse(json);
        var map = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
            map[property.Name] = ReadValue(property.Value);
        return map;
    }

    public static object ReadValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => IsIntegerText(element.GetRawText()) && element.TryGetInt64(out long l) ? l : (object)element.GetDouble(),
        _ => throw new FormatException($"Unexpected JSON value kind {element.ValueKind} in stored metadata."),
    };

    private static bool IsIntegerText(string raw) => raw.AsSpan().IndexOfAny('.', 'E', 'e') < 0;
}

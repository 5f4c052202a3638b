using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Cli;

/// <summary>The one JSON shape of <c>--json</c> output: camelCase names, enums as camelCase strings, indented.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Read by people and scripts, never embedded in HTML: keep quotes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write(TextWriter writer, object value) => writer.WriteLine(JsonSerializer.Serialize(value, s_options));
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Bench.Reports;

/// <summary>Every raw figure of a run as JSON (camelCase; NaN and infinities as strings rather than a failure).</summary>
public static class JsonReport
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write<T>(string path, T report) => File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
}

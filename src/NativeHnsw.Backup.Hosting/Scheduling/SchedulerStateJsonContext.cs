using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(SchedulerState))]
internal sealed partial class SchedulerStateJsonContext : JsonSerializerContext;

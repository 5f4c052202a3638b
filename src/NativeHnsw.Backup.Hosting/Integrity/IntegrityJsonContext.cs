using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DamageMark))]
[JsonSerializable(typeof(CapacitySample[]))]
internal sealed partial class IntegrityJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Source-generated JSON for the policy: camelCase keys, comments and trailing commas allowed (the example
/// <c>nhnsw policy init</c> writes is commented), unknown keys refused so a typo is an error, not a silent default.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(BackupPolicy))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;

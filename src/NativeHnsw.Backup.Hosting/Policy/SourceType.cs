using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>What a policy source is: one index file, or a store folder.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<SourceType>))]
public enum SourceType
{
    Index,
    Store,
}

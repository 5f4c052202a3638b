using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>Where a policy target keeps backups: a local (or mounted) folder, or S3-compatible object storage.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<TargetType>))]
public enum TargetType
{
    Local,
    S3,
}

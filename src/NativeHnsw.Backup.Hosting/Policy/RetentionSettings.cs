namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Grandfather-father-son counts, applied per source over every target that holds its backups. A count left out of
/// the JSON keeps its default (the constructor's defaults are what the deserializer uses).
/// </summary>
public sealed record RetentionSettings(int Daily = 7, int Weekly = 4, int Monthly = 12);

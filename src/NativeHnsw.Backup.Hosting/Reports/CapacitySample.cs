namespace NativeHnsw.Backup.Hosting;

/// <summary>What one target held at one moment: its readable backups and their bytes.</summary>
public sealed record CapacitySample(DateTimeOffset Utc, long Bytes, int Backups);

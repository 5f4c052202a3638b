namespace NativeHnsw.Backup.Hosting;

/// <summary>The newest readable backup of one source in one tier, and the target holding it.</summary>
public sealed record TierBackup(string Source, string Tier, string Target, string BackupId, DateTimeOffset CreatedUtc, bool Incremental);

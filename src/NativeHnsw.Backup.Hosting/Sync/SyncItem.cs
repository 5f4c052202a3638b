namespace NativeHnsw.Backup.Hosting;

/// <summary>One backup in a sync.</summary>
public sealed record SyncItem(string BackupId, DateTimeOffset CreatedUtc, SyncOutcome Outcome, long Bytes, string? Reason);

namespace NativeHnsw.Backup.Hosting;

/// <summary>A backup copy a restore passed over, and why (a scrub's mark, a broken chain).</summary>
public sealed record SkippedCopy(string BackupId, string Target, string Reason);

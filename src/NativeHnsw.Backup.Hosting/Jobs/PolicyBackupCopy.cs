namespace NativeHnsw.Backup.Hosting;

/// <summary>One target's copy of a backup in a policy's catalog (<see cref="PolicyBackup"/>).</summary>
/// <param name="Problem">Why the copy is not <see cref="BackupState.Ok"/>; null when it is.</param>
internal sealed record PolicyBackupCopy(string Target, string Tier, BackupState State, string? Problem);

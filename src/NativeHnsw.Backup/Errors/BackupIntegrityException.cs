namespace NativeHnsw.Backup;

/// <summary>A backup's bytes fail a check: a file missing, truncated or failing its SHA-256, a manifest that is absent (a partial backup), unreadable, inconsistent or from a newer tool, or restored data that does not match its manifest. Take another backup or restore an older one.</summary>
public sealed class BackupIntegrityException : BackupException
{
    public BackupIntegrityException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

namespace NativeHnsw.Backup;

/// <summary>The backup target (a folder, an object store) cannot be reached, listed, read or written: unreachable, access denied, no such bucket or folder, not an S3 server, an I/O error. The backups themselves may be fine.</summary>
public sealed class BackupTargetException : BackupException
{
    public BackupTargetException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

namespace NativeHnsw.Backup;

/// <summary>The request does not fit: a backup of the wrong kind (an index backup for a store restore, an incremental where only full backups apply), a restore destination that is not restorable (a file, a folder that is not a store), an id already taken or not a valid backup name.</summary>
public sealed class BackupMismatchException : BackupException
{
    public BackupMismatchException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

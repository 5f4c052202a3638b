namespace NativeHnsw.Backup;

/// <summary>The store a restore would replace is open in a client (its LOCK is held); nothing was changed. Close the client and restore again.</summary>
public sealed class BackupStoreInUseException : BackupException
{
    public BackupStoreInUseException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

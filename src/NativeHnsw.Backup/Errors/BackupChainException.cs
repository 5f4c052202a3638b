namespace NativeHnsw.Backup;

/// <summary>An incremental backup's chain is broken: a parent is missing or unusable, the chain loops, or there is no full backup to chain a new incremental to.</summary>
public sealed class BackupChainException : BackupException
{
    public BackupChainException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

namespace NativeHnsw.Backup;

/// <summary>
/// The base of every backup failure: catch it for "the backup operation failed", or one of its sealed kinds to tell
/// them apart — <see cref="BackupIntegrityException"/> (damaged, tampered with, partial, newer),
/// <see cref="BackupChainException"/> (an incremental's chain is broken), <see cref="BackupNotFoundException"/> (no such
/// backup), <see cref="BackupTargetException"/> (the folder or object store cannot be reached, read or written),
/// <see cref="BackupStoreInUseException"/> (the store to restore over is open), <see cref="BackupDestinationException"/>
/// (the place a restore writes cannot be written or switched) and <see cref="BackupMismatchException"/> (the request
/// does not fit the backup or destination). The message names the backup and the problem; any live data the operation
/// would have replaced is untouched when one is thrown.
/// </summary>
public abstract class BackupException : IOException
{
    private protected BackupException(string? backupId, string problem, Exception? innerException)
        : base(backupId is null ? problem : $"Backup '{backupId}': {problem}", innerException)
    {
        BackupId = backupId;
        Problem = problem;
    }

    /// <summary>The backup at fault, or null when the failure is not about one backup (an unreachable target, say).</summary>
    public string? BackupId { get; }

    /// <summary>The problem alone, without the backup's name.</summary>
    public string Problem { get; }
}

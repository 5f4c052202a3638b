namespace NativeHnsw.Backup;

/// <summary>
/// A backup that cannot be written, read, verified or restored: missing, partial, tampered with, from a newer
/// tool, or a chain with a missing link. The message names the backup and the problem; any live data the
/// operation would have replaced is untouched when this is thrown.
/// </summary>
public sealed class BackupException : IOException
{
    public BackupException(string? backupId, string problem, Exception? innerException = null)
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

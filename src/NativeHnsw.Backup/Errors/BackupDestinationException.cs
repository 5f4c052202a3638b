namespace NativeHnsw.Backup;

/// <summary>The place a restore writes (the live file or store folder, the staging copy beside it) cannot be created, written or switched: disk full, no permission. The live data is as it was.</summary>
public sealed class BackupDestinationException : BackupException
{
    public BackupDestinationException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

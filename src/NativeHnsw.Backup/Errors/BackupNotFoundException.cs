namespace NativeHnsw.Backup;

/// <summary>No backup has the id asked for, or none matches the selection.</summary>
public sealed class BackupNotFoundException : BackupException
{
    public BackupNotFoundException(string? backupId, string problem, Exception? innerException = null)
        : base(backupId, problem, innerException)
    {
    }
}

namespace NativeHnsw.Backup;

/// <summary>Reading one file of a backup the way a restore does, whatever way it is stored: for copies and scrubs.</summary>
public static class BackupFiles
{
    /// <summary>
    /// Reads <paramref name="file"/> of <paramref name="backup"/> from <paramref name="target"/> (whole, or put
    /// together from its chunks, each checked against its key) into <paramref name="destination"/> (null: only checks
    /// it), checking its length and SHA-256 against the manifest.
    /// </summary>
    /// <returns>Bytes read.</returns>
    /// <exception cref="BackupIntegrityException">The file or one of its chunks is missing or fails its check (named).</exception>
    public static long Read(IBackupTarget target, BackupManifest backup, BackupFileEntry file, Stream? destination = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentNullException.ThrowIfNull(file);
        return IndexRestore.Fetch(target, backup, file, destination, null);
    }
}

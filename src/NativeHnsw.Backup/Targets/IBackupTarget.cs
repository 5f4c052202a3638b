namespace NativeHnsw.Backup;

/// <summary>
/// Where backups live: a local folder (<see cref="LocalFolderTarget"/>) or S3-compatible object storage (<see cref="S3Target"/>). A target shows a backup only once
/// it is whole: files go to a staging place first and the manifest is written last, and only then does the
/// backup appear in <see cref="ListIds"/>.
/// </summary>
public interface IBackupTarget
{
    /// <summary>A short description for messages (a folder path, <c>s3://bucket/prefix</c>).</summary>
    string Description { get; }

    /// <summary>Ids of the backups that are complete (their manifest is present), in no particular order.</summary>
    /// <exception cref="BackupException">The target cannot be reached or listed.</exception>
    IReadOnlyList<string> ListIds();

    /// <summary>Ids of backups that have files but no manifest: interrupted (or still running) writes, hand copies.</summary>
    /// <exception cref="BackupException">The target cannot be reached or listed.</exception>
    IReadOnlyList<string> ListPartialIds();

    /// <summary>The files a backup holds (the manifest not included), by name, with their lengths.</summary>
    /// <exception cref="BackupException">The backup does not exist, or the target cannot be listed.</exception>
    IReadOnlyDictionary<string, long> ListFiles(string id);

    /// <summary>
    /// Removes what writers and deletions that never finished left behind (a killed process), once nothing was written
    /// to it for <paramref name="minimumAge"/> as of <paramref name="now"/>; on a dry run only reports it.
    /// </summary>
    /// <returns>What was (or would be) removed, one name each.</returns>
    IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun);

    /// <summary>
    /// Removes what writers and deletions left behind when they are provably done, whatever its age: written under a
    /// lease other than <paramref name="heldLease"/> (see <see cref="WriterLease"/>), which is over since the caller
    /// holds the target's lease under that id now, or (on a local folder) by a process that is gone. What a runner does
    /// at start. What records no lease, or the caller's own, is left to <see cref="SweepLeftovers"/>'s age rule.
    /// </summary>
    /// <param name="heldLease">The id of the lease the caller holds on this target; null when it holds none.</param>
    /// <returns>What was (or would be) removed, one name each.</returns>
    IReadOnlyList<string> SweepAbandoned(string? heldLease, bool dryRun) => [];

    /// <summary>Reads and validates one backup's manifest (<see cref="BackupManifest.Parse(ReadOnlySpan{byte}, string)"/>).</summary>
    /// <exception cref="BackupException">The backup is missing, partial, or its manifest is unreadable or newer.</exception>
    BackupManifest ReadManifest(string id);

    /// <summary>Opens one file of a backup for reading.</summary>
    /// <exception cref="BackupException">The file is missing.</exception>
    Stream OpenRead(string id, string fileName);

    /// <summary>Starts writing a new backup; nothing is visible until <see cref="IBackupWriter.Commit"/>.</summary>
    IBackupWriter Begin(string id);

    /// <summary>The target's content-addressed chunks, shared by all its backups (kept in a hidden place that never lists as a backup).</summary>
    IChunkStore Chunks { get; }

    /// <summary>Removes a backup (its chunks stay until a prune finds them unreferenced); from the first instant it no longer lists, so a crash mid-delete leaves no half backup visible.</summary>
    void Delete(string id);
}

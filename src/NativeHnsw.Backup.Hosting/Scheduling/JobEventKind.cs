namespace NativeHnsw.Backup.Hosting;

/// <summary>What happened to one source (or one backup) during a job.</summary>
public enum JobEventKind
{
    /// <summary>A new backup is committed (a snapshot, an incremental, or a verified copy on another target).</summary>
    BackupMade,

    BackupFailed,

    /// <summary>The source was passed over, with the reason in the message.</summary>
    Skipped,

    DrillPassed,

    DrillFailed,

    /// <summary>A scrub read back every file of the source's backups; <see cref="JobEvent.Failures"/> failed their checks.</summary>
    Scrubbed,

    /// <summary>A backup was deleted by retention or moved off a target by a tier move.</summary>
    Removed,

    /// <summary>
    /// No incremental was taken: the store has not changed since the newest backup this runner made of it in that
    /// target (<see cref="JobEvent.BackupId"/>), by its change stamp; that backup already holds everything.
    /// </summary>
    Unchanged,
}

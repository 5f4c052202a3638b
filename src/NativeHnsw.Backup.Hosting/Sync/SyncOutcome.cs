namespace NativeHnsw.Backup.Hosting;

/// <summary>What a sync did with one backup.</summary>
public enum SyncOutcome
{
    /// <summary>Copied, and every file read back from the destination matched its SHA-256.</summary>
    Copied,

    /// <summary>The destination already holds it (the same manifest).</summary>
    Skipped,

    /// <summary>Not copied: the reason says why (damaged at the source, a parent not copied, a write or check that failed).</summary>
    Failed,

    /// <summary>A dry run: it would be copied.</summary>
    WouldCopy,
}

namespace NativeHnsw.Backup;

/// <summary>How a backup is taken.</summary>
public sealed record BackupOptions
{
    /// <summary>Folder for the local snapshot taken before upload; default: the system temp folder.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>The instant recorded as the backup's time; default: now. Tests and imports set it.</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>Sample queries recorded for the restore check. Default 8.</summary>
    public int ProbeQueries { get; init; } = 8;

    /// <summary>Neighbours per sample query. Default 10.</summary>
    public int ProbeK { get; init; } = 10;

    public IProgress<BackupProgress>? Progress { get; init; }

    /// <summary>
    /// Store the index file, or a store's database and checkpoints, as content-addressed chunks in the target's chunk
    /// store (manifest format 2): a chunk any earlier backup of the target stored is not stored again, so a daily
    /// backup costs what changed. Default false (files stored whole, manifest format 1, readable by older tools).
    /// </summary>
    public bool Chunked { get; init; }
}

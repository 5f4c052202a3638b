namespace NativeHnsw.Backup.Hosting;

/// <summary>One thing a job did to one source; the scheduler turns these into metrics and state.</summary>
/// <param name="Source">The policy source's name.</param>
/// <param name="BackupId">The backup made, drilled or removed.</param>
/// <param name="Bytes">Bytes written (a backup or copy).</param>
/// <param name="BackupCreatedUtc">The backup's own time: the recovery point it gives.</param>
/// <param name="Elapsed">How long it took (for a drill: the recovery time).</param>
/// <param name="Target">The target written or read.</param>
public sealed record JobEvent(
    string Source,
    JobEventKind Kind,
    string? BackupId = null,
    long Bytes = 0,
    DateTimeOffset? BackupCreatedUtc = null,
    TimeSpan? Elapsed = null,
    int Failures = 0,
    string? Target = null,
    string? Message = null);

namespace NativeHnsw.Storage;

/// <summary>
/// When a collection's HNSW index is saved to a checkpoint file. The index is derived data: the database
/// holds every record, and on open the changes after the newest good checkpoint are replayed, so the policy
/// trades reopen time against write stalls (a checkpoint blocks that collection's writers, not its readers).
/// </summary>
public sealed record CheckpointPolicy
{
    /// <summary>Checkpoint once this many changes (records added, changed or deleted) are not in a checkpoint; 0 never. Default 20,000.</summary>
    public int EveryChanges { get; init; } = 20_000;

    /// <summary>Checkpoint a collection with pending changes this long after its last checkpoint; null never. Default 5 minutes.</summary>
    public TimeSpan? Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checkpoint collections with pending changes when the client is disposed. Default true.</summary>
    public bool OnDispose { get; init; } = true;

    /// <summary>After opening a collection, checkpoint when at least this many changes were replayed (or the index was rebuilt). Default 1,000; 0 never.</summary>
    public int AfterReplayOf { get; init; } = 1_000;
}

namespace NativeHnsw.Storage;

/// <summary>How a <see cref="PersistentClient"/> writes and checkpoints.</summary>
public sealed record StoreOptions
{
    public Durability Durability { get; init; } = Durability.Process;

    public CheckpointPolicy Checkpoints { get; init; } = new();

    /// <summary>Receives recovery and checkpoint log lines (a damaged checkpoint and the fallback taken, a rebuild). Default: <see cref="System.Diagnostics.Trace"/>.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Threads an index build or a batch insert may use; −1 every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>The clock of <see cref="CheckpointPolicy.Interval"/> (its timer and elapsed times). Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Test seam: called with a checkpoint's path just before recovery loads it (to prune it meanwhile, as a writer would).</summary>
    internal Action<string>? BeforeCheckpointLoad { get; init; }
}

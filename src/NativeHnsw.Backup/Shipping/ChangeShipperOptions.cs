namespace NativeHnsw.Backup;

/// <summary>How a <see cref="ChangeShipper"/> ships: how often, how much per segment, and when a backlog is reported.</summary>
public sealed record ChangeShipperOptions
{
    /// <summary>How often the log is read and, when it has new commits, shipped: the recovery point objective.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>At most this many commits go into one segment (a backlog ships as several).</summary>
    public int MaxCommitsPerSegment { get; init; } = 10_000;

    /// <summary>About this many bytes of change bodies at most per segment (one commit larger than this ships alone).</summary>
    public long MaxSegmentBytes { get; init; } = 16L << 20;

    /// <summary>
    /// When more unshipped commits than this wait in the store's log (the target is down), every report says so as a
    /// problem. Writes are never blocked: the log keeps growing in the store's database until the target is back.
    /// </summary>
    public long QueueBound { get; init; } = 1_000_000;

    /// <summary>
    /// How often the shipper writes to the store's database: the watermark (the newest commit durable on the target)
    /// and the deletion of the commits shipped since the last time, in one transaction; also at the first round and
    /// after the last round of <see cref="ChangeShipper.RunAsync"/> or on dispose. Every round's segment is durable on
    /// the target either way, and a restart resumes from the target (no gap, no duplicate); what this bounds is how many
    /// shipped commits the store's log still holds (an interval's worth). Each such write is another connection's
    /// commit, which the writer's next commit pays for (a WAL frame more to write and checkpoint, and the write lock). At
    /// 30 s the bench's <c>store --ship</c> measured a shipper beside the writer at the log's own cost (see BACKUP.md).
    /// </summary>
    public TimeSpan MarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the interval and of the lag measured from each commit; the writer's, in tests a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where segments go; by default <see cref="SegmentStore.For"/> the target.</summary>
    public SegmentStore? Segments { get; init; }

    /// <summary>
    /// Called in each round before it first reads or writes the target: on the first round (which finds where the
    /// target stands and may take a base snapshot) and in every later round that has commits to ship; a round with
    /// nothing to ship touches only the store and calls it not. What it returns is disposed when the round ends. A
    /// <see cref="BackupException"/> it throws skips the round, reported as the round's problem: nothing is written,
    /// the commits keep waiting in the store's log, and the next round calls it again. <c>nhnsw replicate</c> takes the
    /// target's lease here, so a runner's jobs on the same target interleave with its rounds. Null: no call.
    /// </summary>
    public Func<IDisposable?>? TargetScope { get; init; }

    /// <summary>Options of the base snapshot the shipper takes when the target has none to build on.</summary>
    public BackupOptions? SnapshotOptions { get; init; }
}

namespace NativeHnsw.Backup;

/// <summary>What a point-in-time restore did.</summary>
/// <param name="Point">The moment asked for.</param>
/// <param name="Snapshot">The full store snapshot it started from.</param>
/// <param name="SnapshotSequence">The newest logged commit the snapshot holds (0 when none).</param>
/// <param name="Sequence">The newest commit the restored store holds.</param>
/// <param name="CommittedAt">That commit's time (null when the snapshot holds no logged commit and none was applied).</param>
/// <param name="Commits">Commits applied on top of the snapshot.</param>
/// <param name="Segments">The segments read.</param>
/// <param name="NewestShipped">The newest commit on the target; a moment after it restores only up to it (the recovery point).</param>
/// <param name="TargetPath">The restored store folder.</param>
public sealed record PointInTimeReport(
    PointInTime Point, string Snapshot, long SnapshotSequence, long Sequence, DateTimeOffset? CommittedAt, int Commits,
    IReadOnlyList<ChangeSegment> Segments, ChangeSegment? NewestShipped, string TargetPath, IReadOnlyList<RestoreStep> Steps)
{
    /// <summary>Whether the target holds changes past the point, so the restore is known to be exactly at it (not cut short by the recovery point).</summary>
    public bool ReachedPoint => NewestShipped is { } newest && !Point.Includes(newest.LastSequence, newest.LastCommit);
}

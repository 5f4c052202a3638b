using System.Diagnostics;
using System.Globalization;
using NativeHnsw.IO;
using NativeHnsw.Storage;
using static NativeHnsw.Backup.RestoreCommon;

namespace NativeHnsw.Backup;

/// <summary>
/// Restores a store to a moment: the newest full store snapshot at or before it, plus the shipped change segments
/// from that snapshot up to exactly the moment. The restored store holds every commit at or before the moment that
/// reached the target, and none after it.
/// </summary>
/// <remarks>
/// Algorithm: list the segments; take the full store snapshots newest first among those created at or before the
/// moment (then the later ones, oldest first: a snapshot made just after the moment may still hold nothing after it);
/// restore the candidate into a staging folder with every check of <see cref="StoreRestore"/>; read which logged commit
/// it holds (its log's newest row); skip it if it was taken before shipping began or holds a commit after the moment.
/// Then apply, in sequence order, every logged commit after the snapshot's up to the moment, requiring the segments to
/// chain without a gap (a gap the moment needs throws <see cref="BackupSegmentMissingException"/> with its range), and
/// move the staging folder to the destination, which must be absent or an empty folder (a new store, never a live one).
/// </remarks>
public static class PointInTimeRestore
{
    /// <exception cref="BackupSegmentMissingException">A segment the moment needs is missing.</exception>
    /// <exception cref="BackupException">No usable snapshot, a damaged segment or snapshot, or the destination is not empty.</exception>
    public static PointInTimeReport Restore(IBackupTarget target, PointInTime point, string storeFolder, SegmentStore? segments = null, RestoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(point);
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        segments ??= SegmentStore.For(target);
        string live = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storeFolder));
        if (File.Exists(live) || (Directory.Exists(live) && Directory.EnumerateFileSystemEntries(live).Any()))
            throw new BackupDestinationException(null, $"'{live}' exists and is not an empty folder: a point-in-time restore makes a new store (restore into a new folder, then switch)");
        var steps = new List<RestoreStep>();
        var clock = Stopwatch.StartNew();

        var listed = segments.List();
        var newest = listed.Count == 0 ? null : listed.MaxBy(s => s.LastSequence);
        if (point.Sequence is { } wanted && (newest is null || newest.LastSequence < wanted))
            throw new BackupNotFoundException(null, string.Create(CultureInfo.InvariantCulture,
                $"commit {wanted} was not shipped to {segments.Description}: the newest shipped commit is {newest?.LastSequence.ToString(CultureInfo.InvariantCulture) ?? "none"}"));
        var catalog = BackupCatalog.Load(target);
        var snapshots = catalog.Backups.Where(b => b.SourceKind == BackupSourceKind.Store && b.Kind == BackupKind.Full).ToList();
        var ordered = point.At is { } t
            ? snapshots.Where(b => b.CreatedUtc <= t).OrderByDescending(b => b.CreatedUtc).Concat(snapshots.Where(b => b.CreatedUtc > t).OrderBy(b => b.CreatedUtc))
            : snapshots.OrderByDescending(b => b.CreatedUtc);
        steps.Add(Step("select", $"{listed.Count} segment(s), {snapshots.Count} full store snapshot(s) in {target.Description}", clock));

        string parent = Path.GetDirectoryName(live)!;
        Directory.CreateDirectory(parent);
        var skipped = new List<string>();
        foreach (var snapshot in ordered)
        {
            string staging = Path.Combine(parent, $".{Path.GetFileName(live)}.pitr-{Guid.NewGuid():N}");
            bool moved = false;
            try
            {
                clock.Restart();
                StoreRestore.Restore(target, BackupSelector.ById(snapshot.Id), staging, new RestoreOptions { Progress = options?.Progress }, keepChangeFeed: true);
                var position = ChangeFeed.ReadPosition(staging);
                if (!position.Enabled)
                {
                    skipped.Add($"{snapshot.Id} was taken before shipping began");
                    continue;
                }
                if (position.CommittedAt is { } at && !point.Includes(position.Sequence, at))
                {
                    skipped.Add(string.Create(CultureInfo.InvariantCulture, $"{snapshot.Id} holds commit {position.Sequence} of {ChangeSegment.Utc(at)}, after the point"));
                    continue;
                }
                steps.Add(Step("snapshot", string.Create(CultureInfo.InvariantCulture, $"{snapshot.Id} restored and checked; it holds the log up to commit {position.Sequence}"), clock));
                // The restored copy ships nothing: its log would only grow.
                ChangeFeed.Disable(staging);
                clock.Restart();
                var (used, applied, last) = Apply(staging, segments, listed, point, position);
                steps.Add(Step("apply", string.Create(CultureInfo.InvariantCulture, $"{applied.Count} commit(s) from {used.Count} segment(s), up to commit {last.Sequence}"), clock));
                clock.Restart();
                Directory.Move(staging, live);
                moved = true;
                steps.Add(Step("switch", $"moved into {live}", clock));
                return new PointInTimeReport(point, snapshot.Id, position.Sequence, last.Sequence, last.At, applied.Count, used, newest, live, steps);
            }
            finally
            {
                if (!moved)
                    FileCleanup.TryDeleteFolder(staging);
            }
        }
        throw new BackupNotFoundException(null, $"no full store snapshot in {target.Description} can be brought to {point}" +
            (skipped.Count == 0 ? " (there is none)" : ": " + string.Join("; ", skipped)));
    }

    private static (List<ChangeSegment> Used, List<long> Applied, (long Sequence, DateTimeOffset? At) Last) Apply(
        string staging, SegmentStore store, IReadOnlyList<ChangeSegment> listed, PointInTime point, ChangeFeedPosition position)
    {
        var used = new List<ChangeSegment>();
        var applied = new List<long>();
        long next = position.Sequence + 1;
        DateTimeOffset? lastAt = position.CommittedAt;
        var quiet = new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null, OnDispose = true, AfterReplayOf = 0 } };
        using var client = new PersistentClient(staging, quiet);
        foreach (var segment in listed)
        {
            if (segment.LastSequence < next)
                continue;
            if (segment.FirstSequence > next)
            {
                // The missing commits come after lastAt (commit times never decrease): needed unless that is past the point.
                bool needed = point.Sequence is { } s ? next <= s : lastAt is null || lastAt <= point.At;
                if (!needed)
                    break;
                throw new BackupSegmentMissingException(next, segment.FirstSequence - 1, string.Create(CultureInfo.InvariantCulture,
                    $"commits {next}–{segment.FirstSequence - 1} (after {(lastAt is { } a ? ChangeSegment.Utc(a) : "the snapshot")}, before {ChangeSegment.Utc(segment.FirstCommit)}) are in no segment of {store.Description}: a segment is missing; restore to a moment before {(lastAt is { } b ? ChangeSegment.Utc(b) : "the snapshot")}, or up to commit {next - 1} by sequence"));
            }
            if (!point.Includes(segment.FirstSequence, segment.FirstCommit) && segment.FirstSequence >= next)
                break;
            var commits = segment.Open(store.Read(segment));
            used.Add(segment);
            bool done = false;
            foreach (var commit in commits)
            {
                if (commit.Sequence < next)
                    continue;
                if (!point.Includes(commit.Sequence, commit.CommittedAt))
                {
                    done = true;
                    break;
                }
                try
                {
                    ChangeFeed.Apply(client, commit);
                }
                catch (Exception e) when (e is StoreException or InvalidDataException or ArgumentException)
                {
                    throw new BackupIntegrityException(null, $"{segment}: commit {commit.Sequence.ToString(CultureInfo.InvariantCulture)} cannot be applied: {e.Message}", e);
                }
                applied.Add(commit.Sequence);
                next = commit.Sequence + 1;
                lastAt = commit.CommittedAt;
            }
            if (done)
                break;
        }
        return (used, applied, (next - 1, lastAt));
    }
}

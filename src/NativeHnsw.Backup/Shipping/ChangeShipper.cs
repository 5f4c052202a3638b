using System.Globalization;
using Microsoft.Data.Sqlite;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup;

/// <summary>
/// Ships a store's change log to a backup target continuously: every <see cref="ChangeShipperOptions.Interval"/> that
/// had commits, the new commits are sealed into a checksummed segment (see <see cref="ChangeSegment"/>) on the target,
/// on top of the newest full store snapshot there (taken by the shipper when the target has none to build on).
/// </summary>
/// <remarks>
/// Runs beside the store's writer, in its process or another one, reading the log through its own connection
/// (<see cref="ChangeFeed"/>): it never takes the store's lock, and its writes to the database — the watermark and the
/// deletion of shipped rows — are one short transaction per <see cref="ChangeShipperOptions.MarkInterval"/>, so the
/// writer's commits seldom meet it.
/// Resumes after a restart of either side from the last segment on the target (no gap, no duplicate): a segment is
/// written before the watermark, so a crash between the two leaves the target ahead, and the next start moves the
/// watermark up to it. A target outage leaves the commits in the store's log (the local queue) and is reported every
/// round; past <see cref="ChangeShipperOptions.QueueBound"/> the backlog itself is reported; writes never block.
/// </remarks>
public sealed class ChangeShipper : IDisposable
{
    private readonly string _store;
    private readonly IBackupTarget _target;
    private readonly ChangeShipperOptions _options;
    private readonly SegmentStore _segments;
    private ChangeFeed? _feed;
    private long _shipped = -1;

    /// <summary>The watermark as this shipper last wrote it (or found it), and when it wrote it (null: not yet).</summary>
    private long _marked = -1;
    private DateTimeOffset? _markedAt;

    public ChangeShipper(string storeFolder, IBackupTarget target, ChangeShipperOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        ArgumentNullException.ThrowIfNull(target);
        _store = Path.GetFullPath(storeFolder);
        _target = target;
        _options = options ?? new ChangeShipperOptions();
        if (_options.Interval <= TimeSpan.Zero)
            throw new ArgumentException($"the shipping interval must be positive (got {_options.Interval})", nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxCommitsPerSegment, 1, nameof(options));
        if (_options.MarkInterval < TimeSpan.Zero)
            throw new ArgumentException($"the mark interval cannot be negative (got {_options.MarkInterval})", nameof(options));
        _segments = _options.Segments ?? SegmentStore.For(target);
    }

    /// <summary>The newest commit known durable on the target, or -1 before the first round.</summary>
    public long LastShipped => _shipped;

    /// <summary>
    /// One round: on the first (and after a failed start) enable the log, find where the target stands and take a
    /// base snapshot when needed; then ship every waiting commit. Target failures are reported, not thrown.
    /// </summary>
    /// <exception cref="StoreException">The store folder is not a store.</exception>
    public ShipReport ShipOnce() => ShipOnce(last: false);

    /// <param name="last">The last round (of <see cref="RunAsync"/>): the watermark is written whether due or not.</param>
    private ShipReport ShipOnce(bool last)
    {
        var segments = new List<ChangeSegment>();
        var lags = new List<TimeSpan>();
        string? snapshot = null;
        string? problem = null;
        int commits = 0;
        long pending = 0;
        // The target's scope (its lease, in the CLI) is entered once, before the round first touches the target.
        bool entered = false;
        IDisposable? scope = null;
        void EnterTarget()
        {
            if (!entered)
                scope = _options.TargetScope?.Invoke();
            entered = true;
        }
        try
        {
            if (_feed is null)
            {
                EnterTarget();
                snapshot = Start();
            }
            var feed = _feed!;
            while (true)
            {
                var batch = feed.Read(_shipped, _options.MaxCommitsPerSegment, _options.MaxSegmentBytes);
                if (batch.Count == 0)
                    break;
                EnterTarget();
                var (segment, bytes) = ChangeSegment.Seal(batch);
                _segments.Write(segment, bytes);
                var durable = _options.TimeProvider.GetUtcNow();
                foreach (var c in batch)
                    lags.Add(durable - c.CommittedAt);
                segments.Add(segment);
                commits += batch.Count;
                _shipped = segment.LastSequence;
            }
            Mark(feed, force: last);
        }
        catch (Exception e) when (e is BackupException || (_feed is not null && e is SqliteException or StoreException))
        {
            problem = e.Message;
        }
        finally
        {
            scope?.Dispose();
        }
        if (_feed is not null)
        {
            try
            {
                pending = Math.Max(0, _feed.LastSequence() - _shipped);
                if (pending > _options.QueueBound)
                {
                    problem = string.Create(CultureInfo.InvariantCulture,
                        $"{pending:N0} commits wait in the store's log, over the bound of {_options.QueueBound:N0}: the point-in-time restore point is falling behind ({problem ?? "the target is slow"})");
                }
            }
            catch (SqliteException e)
            {
                problem ??= e.Message;
            }
        }
        return new ShipReport(segments, commits, Math.Max(_shipped, 0), pending, lags, snapshot, problem);
    }

    /// <summary>
    /// Ships a round every interval of the <see cref="ChangeShipperOptions.TimeProvider"/> until cancelled, then one
    /// last round (so a clean stop leaves nothing behind); each round's report goes to <paramref name="reports"/>.
    /// </summary>
    public async Task RunAsync(IProgress<ShipReport>? reports, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            reports?.Report(ShipOnce());
            try
            {
                await Task.Delay(_options.Interval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        reports?.Report(ShipOnce(last: true));
    }

    /// <summary>Writes the watermark if it is behind, then closes the log.</summary>
    public void Dispose()
    {
        if (_feed is { } feed)
        {
            try
            {
                Mark(feed, force: true);
            }
            catch (Exception e) when (e is SqliteException or StoreException)
            {
                // The segments are on the target; the next start resumes from there and marks then.
            }
        }
        _feed?.Dispose();
        _feed = null;
    }

    /// <summary>Writes the watermark and deletes the shipped commits from the log when it is behind and due (<see cref="ChangeShipperOptions.MarkInterval"/>), or behind and <paramref name="force"/>d.</summary>
    private void Mark(ChangeFeed feed, bool force)
    {
        if (_shipped <= _marked)
            return;
        var now = _options.TimeProvider.GetUtcNow();
        if (!force && _markedAt is { } at && now - at < _options.MarkInterval)
            return;
        feed.MarkShipped(_shipped);
        _marked = _shipped;
        _markedAt = now;
    }

    /// <summary>Enables the log, resumes from what the target holds, and takes a base snapshot when there is none to build on; returns its id if taken.</summary>
    private string? Start()
    {
        var feed = ChangeFeed.Open(_store);
        try
        {
            bool wasEnabled = feed.IsEnabled;
            long watermark = feed.Enable(_options.TimeProvider);
            var listed = _segments.List();
            long targetEnd = listed.Count == 0 ? -1 : listed.Max(s => s.LastSequence);
            long logEnd = feed.LastSequence();
            if (targetEnd > logEnd)
                throw new BackupMismatchException(null, string.Create(CultureInfo.InvariantCulture,
                    $"{_segments.Description} holds changes up to commit {targetEnd}, but the log of {_store} ends at {logEnd}: the target ships another store (give each store its own target)"));
            bool needBase = !wasEnabled || listed.Count == 0 || !HasFullSnapshot();
            long resume;
            if (targetEnd >= watermark)
            {
                // A crash after a segment was written but before its watermark: the target is ahead; catch up, ship no duplicate.
                resume = targetEnd;
                if (targetEnd > watermark)
                    feed.MarkShipped(targetEnd);
                _marked = targetEnd;
            }
            else
            {
                // The target lacks commits the store's log no longer has (another target, or segments removed): a new
                // base snapshot holds them; a restore to a moment inside the gap names it.
                resume = watermark;
                _marked = watermark;
                needBase = true;
            }
            string? snapshot = null;
            if (needBase)
            {
                var options = _options.SnapshotOptions ?? new BackupOptions();
                snapshot = StoreBackup.Backup(_store, _target, options.CreatedUtc is null ? options with { CreatedUtc = _options.TimeProvider.GetUtcNow() } : options).Id;
            }
            _shipped = resume;
            _feed = feed;
            return snapshot;
        }
        catch
        {
            feed.Dispose();
            throw;
        }
    }

    private bool HasFullSnapshot() =>
        BackupCatalog.Load(_target).Backups.Any(b => b.SourceKind == BackupSourceKind.Store && b.Kind == BackupKind.Full);
}

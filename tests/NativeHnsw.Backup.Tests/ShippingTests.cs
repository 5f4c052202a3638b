using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// Change shipping and point-in-time restore on a local folder target, with a fake clock for the writer's commit times
/// and the shipper. The live store itself is the model: its content after every commit is recorded with the commit's
/// time, and a restore to a moment must equal the content recorded last at or before it.
/// </summary>
public sealed class ShippingTests
{
    internal static readonly DateTimeOffset Origin = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    internal static StoreOptions Writer(TimeProvider time) => new()
    {
        TimeProvider = time,
        Checkpoints = new CheckpointPolicy { Interval = null, EveryChanges = 7, AfterReplayOf = 0 },
        Log = _ => { },
    };

    internal static ChangeShipperOptions Shipper(TimeProvider time, SegmentStore? segments = null, long queueBound = 1_000_000) => new()
    {
        TimeProvider = time,
        Segments = segments,
        QueueBound = queueBound,
        MaxCommitsPerSegment = 5,
    };

    [Property(MaxTest = 12)]
    public void Restore_AtRandomMoments_HoldsExactlyTheCommitsAtOrBeforeIt(int seed)
    {
        var random = new Random(seed);
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(Origin);
        var history = new List<(DateTimeOffset At, SortedDictionary<string, SortedDictionary<string, string>> Content)>();
        string store = dir.File("store");
        using (var client = new PersistentClient(store, Writer(time)))
        using (var shipper = new ChangeShipper(store, target, Shipper(time)))
        {
            client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            Ship(shipper);
            history.Add((time.GetUtcNow(), StoreDump.Of(client)));
            int ops = random.Next(5, 40);
            for (int i = 0; i < ops; i++)
            {
                // Zero steps too: several commits in one millisecond are all at or before it.
                time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3) == 0 ? 0 : random.Next(1, 2_000)));
                RandomHistory.Op(client, random);
                history.Add((time.GetUtcNow(), StoreDump.Of(client)));
                if (random.Next(4) == 0)
                    Ship(shipper);
            }
            Ship(shipper);
        }
        var start = history[0].At;
        var end = history[^1].At;
        for (int i = 0; i < 3; i++)
        {
            var at = start.AddMilliseconds(random.NextInt64(0, (long)(end - start).TotalMilliseconds + 1_000));
            if (i == 0)
                at = history[random.Next(history.Count)].At; // exactly a commit's time
            var expected = history.Last(h => h.At <= at).Content;
            string restored = dir.File($"restored-{i}");
            var report = PointInTimeRestore.Restore(target, PointInTime.Instant(at), restored);
            Assert.True(report.CommittedAt is null || report.CommittedAt <= at);
            Assert.Equal(StoreDump.Describe(expected), StoreDump.Describe(StoreDump.Of(restored)));
        }
    }

    /// <summary>One round that must succeed; returns its report.</summary>
    internal static ShipReport Ship(ChangeShipper shipper)
    {
        var report = shipper.ShipOnce();
        Assert.True(report.Ok, report.Problem);
        return report;
    }

    [Fact]
    public void Restore_BySequence_HoldsTheCommitsUpToIt()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(Origin);
        string store = dir.File("store");
        var bySequence = new Dictionary<long, SortedDictionary<string, SortedDictionary<string, string>>>();
        using (var client = new PersistentClient(store, Writer(time)))
        using (var shipper = new ChangeShipper(store, target, Shipper(time)))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            shipper.ShipOnce();
            using var feed = ChangeFeed.Open(store);
            for (int i = 0; i < 12; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                docs.Upsert("r" + (i % 5), [i + 1f, 1f], "d" + i);
                bySequence[feed.LastSequence()] = StoreDump.Of(client);
            }
            var report = shipper.ShipOnce();
            Assert.Equal(12, report.Commits);
            Assert.True(report.Segments.Count >= 3); // five commits a segment at most
        }
        foreach (long seq in bySequence.Keys.Where((_, i) => i % 4 == 1))
        {
            string restored = dir.File("restored-" + seq);
            var report = PointInTimeRestore.Restore(target, PointInTime.Commit(seq), restored);
            Assert.Equal(seq, report.Sequence);
            Assert.Equal(StoreDump.Describe(bySequence[seq]), StoreDump.Describe(StoreDump.Of(restored)));
        }
        var beyond = Assert.Throws<BackupNotFoundException>(() => PointInTimeRestore.Restore(target, PointInTime.Commit(bySequence.Keys.Max() + 1), dir.File("beyond")));
        Assert.Contains("was not shipped", beyond.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipper_RestartAfterSegmentWrittenButNotMarked_ResumesWithoutGapOrDuplicate()
    {
        using var live = new LiveStore();
        var (dir, target, time, store, client, docs) = live;
        var flaky = new FlakySegments(SegmentStore.For(target)) { FailAfterWrite = true };
        using (var first = new ChangeShipper(store, target, Shipper(time)))
            Ship(first);
        docs.Upsert("a", [1f, 2f]);
        time.Advance(TimeSpan.FromSeconds(1));
        using (var crashing = new ChangeShipper(store, target, Shipper(time, flaky)))
        {
            var report = crashing.ShipOnce();
            Assert.False(report.Ok); // the segment is on the target, the watermark was not moved
        }
        docs.Upsert("b", [3f, 4f]);
        time.Advance(TimeSpan.FromSeconds(1));
        using (var resumed = new ChangeShipper(store, target, Shipper(time)))
        {
            var report = resumed.ShipOnce();
            Assert.True(report.Ok, report.Problem);
            Assert.Equal(1, report.Commits); // only "b": "a" was on the target already
        }
        AssertNoGapNoDuplicate_RestoresTheStore(target, time, client, dir.File("restored"));
    }

    [Fact]
    public void Shipper_WritesTheStoreOncePerMarkInterval_EveryRoundStillShips_DisposeMarks()
    {
        using var live = new LiveStore();
        var (dir, target, time, store, client, docs) = live;
        using var feed = ChangeFeed.Open(store);
        long firstMark;
        using (var shipper = new ChangeShipper(store, target, Shipper(time) with { MarkInterval = TimeSpan.FromSeconds(30) }))
        {
            Ship(shipper); // the first round marks
            firstMark = feed.Shipped!.Value;
            Assert.Equal(feed.LastSequence(), firstMark);
            for (int i = 0; i < 5; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                docs.Upsert("r" + i, [i, 1f]);
                Assert.Equal(1, Ship(shipper).Commits);
            }
            // Five rounds shipped, none due to mark: the store was not written, its log keeps the shipped commits.
            Assert.Equal(firstMark, feed.Shipped);
            Assert.Equal(firstMark + 5, shipper.LastShipped);
            Assert.Equal(firstMark + 5, SegmentStore.For(target).List().Max(g => g.LastSequence));
            Assert.Equal(6, feed.Read(firstMark - 1, 100, long.MaxValue).Count);

            time.Advance(TimeSpan.FromSeconds(25)); // 30 s after the first mark
            docs.Upsert("late", [9f, 9f]);
            Ship(shipper);
            Assert.Equal(firstMark + 6, feed.Shipped);
            Assert.Equal(firstMark + 6, Assert.Single(feed.Read(firstMark + 5, 100, long.MaxValue)).Sequence); // the newest row stays
            Assert.Throws<StoreException>(() => feed.Read(firstMark + 4, 100, long.MaxValue)); // the rest are gone

            time.Advance(TimeSpan.FromSeconds(1));
            docs.Upsert("last", [1f, 9f]);
            Ship(shipper);
            Assert.Equal(firstMark + 6, feed.Shipped);
        }
        // Dispose marks what the last rounds shipped.
        Assert.Equal(firstMark + 7, feed.Shipped);
    }

    [Fact]
    public void Shipper_KilledBeforeItsMarkWasDue_NextShipperResumesFromTheTarget_NoGapNoDuplicate()
    {
        using var live = new LiveStore();
        var (dir, target, time, store, client, docs) = live;
        var options = Shipper(time) with { MarkInterval = TimeSpan.FromMinutes(5) };
        var killed = new ChangeShipper(store, target, options);
        Ship(killed);
        for (int i = 0; i < 7; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            docs.Upsert("r" + i, [i, 2f]);
            Ship(killed);
        }
        long shippedByKilled = killed.LastShipped;
        using (var feed = ChangeFeed.Open(store))
            Assert.True(feed.Shipped < shippedByKilled, "the killed shipper's last rounds were not marked");
        // No Dispose: a kill leaves the watermark behind what the target holds.

        docs.Upsert("after", [5f, 5f]);
        time.Advance(TimeSpan.FromSeconds(1));
        using (var resumed = new ChangeShipper(store, target, options))
        {
            var report = resumed.ShipOnce();
            Assert.True(report.Ok, report.Problem);
            Assert.Equal(1, report.Commits); // only "after"
            Assert.Equal(shippedByKilled + 1, resumed.LastShipped);
        }
        AssertNoGapNoDuplicate_RestoresTheStore(target, time, client, dir.File("restored"));
        GC.KeepAlive(killed);
    }

    /// <summary>
    /// The scene most tests start from: a temporary folder with a local target and a store written under a fake clock,
    /// holding one collection of 2-d records. Disposing closes the store, then deletes the folder.
    /// </summary>
    private sealed class LiveStore : IDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly FakeTimeProvider _time = new(Origin);
        private readonly PersistentClient _client;
        private readonly Collection _docs;

        public LiveStore()
        {
            _client = new PersistentClient(_dir.File("store"), Writer(_time));
            _docs = _client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        }

        public void Deconstruct(out TempDirectory dir, out LocalFolderTarget target, out FakeTimeProvider time, out string store,
            out PersistentClient client, out Collection docs)
        {
            dir = _dir;
            target = new LocalFolderTarget(_dir.File("target"));
            time = _time;
            store = _dir.File("store");
            client = _client;
            docs = _docs;
        }

        public void Dispose()
        {
            _client.Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>The target's segments follow each other with no gap or overlap, and a restore to now equals the live store.</summary>
    private static void AssertNoGapNoDuplicate_RestoresTheStore(LocalFolderTarget target, TimeProvider time, PersistentClient client, string restored)
    {
        var segments = SegmentStore.For(target).List();
        for (int i = 1; i < segments.Count; i++)
            Assert.Equal(segments[i - 1].LastSequence + 1, segments[i].FirstSequence);
        PointInTimeRestore.Restore(target, PointInTime.Instant(time.GetUtcNow()), restored);
        Assert.Equal(StoreDump.Describe(StoreDump.Of(client)), StoreDump.Describe(StoreDump.Of(restored)));
    }

    [Fact]
    public void Shipper_TargetOutage_QueuesInTheLog_ReportsPastTheBound_ThenCatchesUp()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(Origin);
        string store = dir.File("store");
        var flaky = new FlakySegments(SegmentStore.For(target));
        using var client = new PersistentClient(store, Writer(time));
        using var shipper = new ChangeShipper(store, target, Shipper(time, flaky, queueBound: 10));
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        Ship(shipper);
        flaky.Down = true;
        for (int i = 0; i < 5; i++)
            docs.Upsert("r" + i, [i, 1f]);
        var down = shipper.ShipOnce();
        Assert.False(down.Ok);
        Assert.Contains("target is down", down.Problem, StringComparison.Ordinal);
        Assert.Equal(5, down.Pending);
        for (int i = 0; i < 20; i++)
            docs.Upsert("s" + i, [i, 2f]); // writes go on, through checkpoints that prune the index log
        var over = shipper.ShipOnce();
        Assert.Contains("over the bound of 10", over.Problem, StringComparison.Ordinal);
        Assert.Equal(25, over.Pending);
        flaky.Down = false;
        var back = shipper.ShipOnce();
        Assert.True(back.Ok, back.Problem);
        Assert.Equal(25, back.Commits);
        Assert.Equal(0, back.Pending);
        string restored = dir.File("restored");
        PointInTimeRestore.Restore(target, PointInTime.Instant(time.GetUtcNow()), restored);
        Assert.Equal(StoreDump.Describe(StoreDump.Of(client)), StoreDump.Describe(StoreDump.Of(restored)));
    }

    [Fact]
    public void Restore_MissingSegment_IsNamedWithItsRange_AndEarlierMomentsStillRestore()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(Origin);
        string store = dir.File("store");
        DateTimeOffset beforeGap;
        using (var client = new PersistentClient(store, Writer(time)))
        using (var shipper = new ChangeShipper(store, target, Shipper(time)))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            shipper.ShipOnce();
            for (int round = 0; round < 3; round++)
            {
                time.Advance(TimeSpan.FromSeconds(10));
                docs.Upsert("r" + round, [round, 1f]);
                shipper.ShipOnce();
            }
            beforeGap = time.GetUtcNow();
        }
        var segments = SegmentStore.For(target).List();
        var lost = segments[^2];
        File.Delete(Path.Combine(target.Root, SegmentStore.FolderName, lost.Name));

        var e = Assert.Throws<BackupSegmentMissingException>(() => PointInTimeRestore.Restore(target, PointInTime.Instant(beforeGap), dir.File("a")));
        Assert.Equal(lost.FirstSequence, e.FirstSequence);
        Assert.Equal(lost.LastSequence, e.LastSequence);
        Assert.Contains($"commits {lost.FirstSequence}–{lost.LastSequence}", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("a")));

        // The gap's commits are no earlier than the commit before it, so a moment before that one still restores exactly,
        // and that commit itself by its sequence number.
        var previous = segments[^3];
        var early = PointInTimeRestore.Restore(target, PointInTime.Instant(previous.LastCommit.AddMilliseconds(-1)), dir.File("b"));
        Assert.Equal(previous.LastSequence - 1, early.Sequence);
        var bySequence = PointInTimeRestore.Restore(target, PointInTime.Commit(lost.FirstSequence - 1), dir.File("c"));
        Assert.Equal(lost.FirstSequence - 1, bySequence.Sequence);
    }

    [Fact]
    public void Restore_DamagedSegment_IsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("target"));
        var time = new FakeTimeProvider(Origin);
        string store = dir.File("store");
        using (var client = new PersistentClient(store, Writer(time)))
        using (var shipper = new ChangeShipper(store, target, Shipper(time)))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            Ship(shipper); // the base snapshot
            docs.Upsert("a", [1f, 1f]);
            Ship(shipper);
        }
        var segment = SegmentStore.For(target).List()[^1];
        string path = Path.Combine(target.Root, SegmentStore.FolderName, segment.Name);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BackupIntegrityException>(() => PointInTimeRestore.Restore(target, PointInTime.Instant(time.GetUtcNow()), dir.File("r")));
        Assert.Contains(segment.Name, e.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShipsAfterEachIntervalThatHadCommits()
    {
        using var live = new LiveStore();
        var (dir, target, time, store, client, docs) = live;
        using var shipper = new ChangeShipper(store, target, Shipper(time) with { Interval = TimeSpan.FromSeconds(1) });
        var reports = new ReportQueue();
        using var stop = new CancellationTokenSource();
        var running = shipper.RunAsync(reports, stop.Token);
        var first = await reports.Next();
        Assert.NotNull(first.Snapshot); // the target had nothing to build on
        docs.Upsert("a", [1f, 2f]);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(reports.HasMore); // not yet an interval
        time.Advance(TimeSpan.FromMilliseconds(1));
        var shipped = await reports.Next();
        Assert.Equal(1, shipped.Commits);
        Assert.Equal([TimeSpan.FromSeconds(1)], shipped.Lags);
        time.Advance(TimeSpan.FromSeconds(1));
        var quiet = await reports.Next();
        Assert.Empty(quiet.Segments); // nothing changed: no segment
        docs.Upsert("b", [1f, 3f]);
        stop.Cancel();
        await running;
        var last = await reports.Next();
        Assert.Equal(1, last.Commits); // a clean stop ships what is left
    }

    [Fact]
    public async Task RunAsync_TargetScope_EnteredForRoundsThatTouchTheTarget_ARefusedRoundWritesNothing_TheNextTriesAgain()
    {
        using var live = new LiveStore();
        var (dir, target, time, store, client, docs) = live;
        var scope = new CountingScope();
        using var shipper = new ChangeShipper(store, target, Shipper(time) with { Interval = TimeSpan.FromSeconds(1), TargetScope = scope.Enter });
        var reports = new ReportQueue();
        using var stop = new CancellationTokenSource();

        // Refused from the start: the target is not even read (nor its folder made).
        scope.Refuse = true;
        var running = shipper.RunAsync(reports, stop.Token);
        var refused = await reports.Next();
        Assert.Contains("held elsewhere", refused.Problem, StringComparison.Ordinal);
        Assert.Null(refused.Snapshot);
        Assert.False(Directory.Exists(dir.File("target")));
        Assert.Equal((1, 0), (scope.Entered, scope.Exited));

        scope.Refuse = false;
        time.Advance(TimeSpan.FromSeconds(1));
        var first = await reports.Next();
        Assert.True(first.Ok, first.Problem);
        Assert.NotNull(first.Snapshot);
        Assert.Equal((2, 1), (scope.Entered, scope.Exited));

        // A round with nothing to ship touches only the store: no scope.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await reports.Next()).Segments);
        Assert.Equal((2, 1), (scope.Entered, scope.Exited));

        // Commits while the scope refuses wait in the log (reported), then ship in one later round, once entered.
        scope.Refuse = true;
        docs.Upsert("a", [1f, 2f]);
        time.Advance(TimeSpan.FromSeconds(1));
        var waiting = await reports.Next();
        Assert.False(waiting.Ok);
        Assert.Equal(1, waiting.Pending);
        Assert.Empty(waiting.Segments);
        docs.Upsert("b", [1f, 3f]);
        scope.Refuse = false;
        time.Advance(TimeSpan.FromSeconds(1));
        var shipped = await reports.Next();
        Assert.True(shipped.Ok, shipped.Problem);
        Assert.Equal(2, shipped.Commits);
        Assert.Equal((4, 2), (scope.Entered, scope.Exited));

        // The last round at stop enters too when it has commits to ship.
        docs.Upsert("c", [2f, 3f]);
        stop.Cancel();
        await running;
        Assert.Equal(1, (await reports.Next()).Commits);
        Assert.Equal((5, 3), (scope.Entered, scope.Exited));
        AssertNoGapNoDuplicate_RestoresTheStore(target, time, client, dir.File("restored"));
    }

    /// <summary>A <see cref="ChangeShipperOptions.TargetScope"/> that counts its rounds, or refuses them as a lease held elsewhere would be.</summary>
    private sealed class CountingScope
    {
        public bool Refuse { get; set; }

        public int Entered { get; private set; }

        public int Exited { get; private set; }

        public IDisposable? Enter()
        {
            Entered++;
            if (Refuse)
                throw new BackupTargetException(null, "the target's lease is held elsewhere");
            return new Exit(this);
        }

        private sealed class Exit(CountingScope scope) : IDisposable
        {
            public void Dispose() => scope.Exited++;
        }
    }

    [Fact]
    public void Segment_SealAndOpen_RoundTripsAndChecksTheName()
    {
        var commits = new List<LoggedCommit>
        {
            new(7, Origin, [1, 2, 3]),
            new(8, Origin.AddMilliseconds(5), []),
            new(9, Origin.AddSeconds(2), [9]),
        };
        var (segment, bytes) = ChangeSegment.Seal(commits);
        Assert.Equal(segment, ChangeSegment.TryParseName(segment.Name));
        var opened = segment.Open(bytes);
        Assert.Equal(commits.Select(c => (c.Sequence, c.CommittedAt, Convert.ToHexString(c.Body))), opened.Select(c => (c.Sequence, c.CommittedAt, Convert.ToHexString(c.Body))));
        var renamed = segment with { LastSequence = 10 };
        Assert.Contains("its header says", Assert.Throws<BackupIntegrityException>(() => renamed.Open(bytes)).Message, StringComparison.Ordinal);
        Assert.Null(ChangeSegment.TryParseName("notes.txt"));
        Assert.Throws<ArgumentException>(() => ChangeSegment.Seal([commits[0], commits[2]]));
    }

    /// <summary>A segment store that can be down, or fail right after a write (a crash between the upload and the watermark).</summary>
    internal sealed class FlakySegments(SegmentStore inner) : SegmentStore
    {
        public bool Down { get; set; }

        public bool FailAfterWrite { get; set; }

        public override string Description => inner.Description;

        public override IReadOnlyList<ChangeSegment> List() => Down ? throw Outage() : inner.List();

        public override void Write(ChangeSegment segment, byte[] bytes)
        {
            if (Down)
                throw Outage();
            inner.Write(segment, bytes);
            if (FailAfterWrite)
                throw new BackupTargetException(null, "the connection dropped after the upload");
        }

        public override byte[] Read(ChangeSegment segment) => Down ? throw Outage() : inner.Read(segment);

        private static BackupTargetException Outage() => new(null, "the target is down");
    }

    /// <summary>Reports of a running shipper, awaited one by one (no sleeping: each wait ends when the report arrives).</summary>
    private sealed class ReportQueue : IProgress<ShipReport>
    {
        private readonly System.Threading.Channels.Channel<ShipReport> _channel = System.Threading.Channels.Channel.CreateUnbounded<ShipReport>();

        public bool HasMore => _channel.Reader.TryPeek(out _);

        public void Report(ShipReport value) => _channel.Writer.TryWrite(value);

        public async Task<ShipReport> Next()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _channel.Reader.ReadAsync(timeout.Token);
        }
    }
}

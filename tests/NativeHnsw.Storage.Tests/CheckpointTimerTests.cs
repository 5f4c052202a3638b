using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// The checkpoint timer must not slow an open: its callbacks never wait on a lock that a recovery holds, and a
/// recovery's parallel replay never runs under a lock that pool threads queue on.
/// </summary>
public sealed class CheckpointTimerTests
{
    private static readonly CollectionOptions s_options = new() { Dimensions = 16, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 };

    private const int Replayed = 6_000;

    private static StoreOptions Options(TimeSpan? interval, TimeSpan loadDelay) => new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 0, OnDispose = false, Interval = interval, AfterReplayOf = 0 },
        Log = _ => { },
        // The seam slows the load (test code only), as a cold disk or a large checkpoint would.
        BeforeCheckpointLoad = _ => Thread.Sleep(loadDelay),
    };

    /// <summary>A checkpoint of 100 records and <see cref="Replayed"/> changes after it, which an open replays in parallel.</summary>
    private static void Fill(string path)
    {
        var data = Datasets.Gaussian(100 + Replayed, 16, seed: 5);
        using var client = new PersistentClient(path, Options(null, TimeSpan.Zero));
        var c = client.CreateCollection("c", s_options);
        Add(c, data, 0, 100);
        c.Checkpoint();
        for (int start = 100; start < 100 + Replayed; start += 1_000)
            Add(c, data, start, 1_000);
    }

    private static void Add(Collection c, float[] data, int start, int count)
    {
        var ids = new string[count];
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            ids[i] = $"r{start + i}";
            vectors[i] = Datasets.Row(data, 16, start + i).ToArray();
        }
        c.Add(ids, vectors);
    }

    /// <summary>Opens on a thread of its own, as an application's main thread would (not a pool thread, whose local queue would hide a starved pool).</summary>
    private static TimeSpan TimeOpen(string path, TimeSpan? interval, TimeSpan loadDelay)
    {
        TimeSpan elapsed = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var clock = Stopwatch.StartNew();
                using var client = new PersistentClient(path, Options(interval, loadDelay));
                var c = client.GetCollection("c");
                clock.Stop();
                Assert.Equal(Replayed, c.Recovery.ReplayedRecords);
                Assert.NotNull(c.Recovery.Checkpoint);
                elapsed = clock.Elapsed;
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "the open did not finish in 2 minutes");
        if (failure is not null)
            throw new InvalidOperationException("the open failed", failure);
        return elapsed;
    }

    [Fact]
    public void Open_ShortIntervalAndSlowCheckpointLoad_TakesAtMostTwiceTheOpenWithoutTimer()
    {
        using var folder = new TempDirectory();
        Fill(folder.Path);
        var delay = TimeSpan.FromSeconds(1.5);
        TimeOpen(folder.Path, null, TimeSpan.Zero); // warm-up: JIT and the page cache
        var without = TimeOpen(folder.Path, null, delay);
        var with = TimeOpen(folder.Path, TimeSpan.FromMilliseconds(100), delay);
        Assert.True(with <= 2 * without,
            $"the open took {with.TotalMilliseconds:F0} ms with a 100 ms checkpoint interval, {without.TotalMilliseconds:F0} ms without the timer");
    }

    [Fact]
    public async Task Tick_WhileACollectionRecovers_NeverWaitsAndTheClientStaysUsable()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempDirectory();
        Fill(folder.Path);
        var time = new FakeTimeProvider();
        using var loading = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var options = Options(TimeSpan.FromMilliseconds(100), TimeSpan.Zero) with
        {
            TimeProvider = time,
            BeforeCheckpointLoad = _ =>
            {
                loading.Set();
                release.Wait(TimeSpan.FromMinutes(1));
            },
        };
        using var client = new PersistentClient(folder.Path, options);
        var open = Task.Factory.StartNew(() => client.GetCollection("c"), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(loading.Wait(TimeSpan.FromSeconds(30), ct), "the recovery never reached the checkpoint load");

        // The fake clock runs each due tick on this thread: a tick that waited on the recovery would never return.
        var ticks = Task.Run(() =>
        {
            for (int i = 0; i < 20; i++)
                time.Advance(TimeSpan.FromMilliseconds(50));
        }, ct);
        await ticks.WaitAsync(TimeSpan.FromSeconds(20), ct);
        // Nor does the recovery hold the client: other collections are listed, created and written meanwhile.
        var other = client.CreateCollection("other", s_options);
        other.Add("x", new float[16]);
        Assert.Equal(["c", "other"], client.ListCollections());
        Assert.False(open.IsCompleted);

        release.Set();
        var recovered = await open.WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Same(recovered, client.GetCollection("c"));
        Assert.Empty(recovered.CheckIndexAgreesWithDatabase());
    }

    [Fact]
    public void Tick_IntervalElapsedOnTheFakeClock_CheckpointsPendingChanges()
    {
        using var folder = new TempDirectory();
        var time = new FakeTimeProvider();
        var options = Options(TimeSpan.FromMinutes(1), TimeSpan.Zero) with { TimeProvider = time };
        using var client = new PersistentClient(folder.Path, options);
        var c = client.CreateCollection("c", s_options);
        c.Add("a", new float[16]);
        Assert.Equal(1, c.PendingChanges);

        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(1, c.PendingChanges);
        Assert.Empty(client.Layout.Checkpoints(c.Id));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, c.PendingChanges);
        Assert.Single(client.Layout.Checkpoints(c.Id));

        // Ticks go on after a checkpoint: the next change is checkpointed an interval later.
        c.Add("b", new float[16]);
        time.Advance(TimeSpan.FromSeconds(75));
        Assert.Equal(0, c.PendingChanges);
    }
}

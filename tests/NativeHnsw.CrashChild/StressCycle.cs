using System.Diagnostics;

namespace NativeHnsw.CrashChild;

/// <summary>
/// One index's life under the stress run: worker threads call its public members until a disposer
/// disposes it at a random moment, and go on calling for a while after. Every call must answer
/// correctly, or throw <see cref="ObjectDisposedException"/> once Dispose has begun; a call that
/// begins after Dispose has returned must throw it (properties excepted: they answer from managed
/// state and keep answering).
/// </summary>
internal abstract class StressCycle
{
    private readonly List<(string Name, Action<Random> Step)> _workers = [];
    private int _disposeBegun;
    private int _disposed;
    private volatile bool _stop;
    private long _calls;
    private long _disposedCalls;

    protected StressCycle(HnswIndex index, FailureLog failures, string name)
    {
        Index = index;
        Failures = failures;
        Name = name;
    }

    public string Name { get; }

    public long Calls => Interlocked.Read(ref _calls);

    public long DisposedCalls => Interlocked.Read(ref _disposedCalls);

    protected HnswIndex Index { get; }

    protected FailureLog Failures { get; }

    /// <summary>Runs the workers for <paramref name="life"/>, disposes the index under them, lets them run on briefly, then stops them.</summary>
    public void Run(TimeSpan life, int seed)
    {
        var threads = new List<Thread>();
        for (int i = 0; i < _workers.Count; i++)
        {
            var (name, step) = _workers[i];
            var random = new Random(seed + i + 1);
            var thread = new Thread(() =>
            {
                while (!_stop)
                {
                    try
                    {
                        step(random);
                    }
                    catch (Exception e)
                    {
                        Fail($"{name} worker: unexpected {e}");
                    }
                }
            })
            { Name = $"{Name}/{name}", IsBackground = true };
            threads.Add(thread);
            thread.Start();
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < life && !Failures.Any)
            Thread.Sleep(5);
        Volatile.Write(ref _disposeBegun, 1);
        Index.Dispose();
        Volatile.Write(ref _disposed, 1);
        Index.Dispose();
        Thread.Sleep(30);
        _stop = true;
        foreach (var thread in threads)
            thread.Join();
    }

    /// <summary>Options drawn at random: both metrics families, small M and beams, capacities that force growth.</summary>
    protected static HnswOptions RandomOptions(Random random) => new()
    {
        Dimensions = random.Next(2) == 0 ? 8 : 19,
        Metric = (DistanceMetric)random.Next(3),
        M = random.Next(2, 9),
        EfConstruction = random.Next(4, 40),
        InitialCapacity = random.Next(0, 64),
        Seed = (ulong)random.Next(),
    };

    protected void AddWorker(string name, Action<Random> step) => _workers.Add((name, step));

    /// <summary>
    /// A search with a random k, ef and (one time in four) filter, through either overload; false when it
    /// threw (the failure is recorded, or it was a disposed index). The hits are then the caller's to check.
    /// </summary>
    protected bool TrySearch(Random random, float[] query, out SearchResult[] hits, out int k, out Func<long, bool>? filter)
    {
        int kk = k = random.Next(1, 20);
        int ef = random.Next(2) == 0 ? 0 : random.Next(1, 100);
        var f = filter = random.Next(4) == 0 ? label => label % 2 == 1 : null;
        SearchResult[] found = [];
        bool ok = random.Next(2) == 0
            ? Guarded("Search(k)", () => found = Index.Search(query, kk, ef, f))
            : Guarded("Search(span)", () =>
            {
                var buffer = new SearchResult[kk];
                found = buffer[..Index.Search(query, buffer, ef, f)];
            });
        hits = found;
        return ok;
    }

    protected void Fail(string what) => Failures.Add($"{Name}: {what}");

    /// <summary>
    /// Calls a member that must throw <see cref="ObjectDisposedException"/> once the index is disposed;
    /// true when it returned normally (its answer is then the caller's to check).
    /// </summary>
    protected bool Guarded(string member, Action call)
    {
        bool disposedBefore = Volatile.Read(ref _disposed) != 0;
        Interlocked.Increment(ref _calls);
        try
        {
            call();
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Increment(ref _disposedCalls);
            if (Volatile.Read(ref _disposeBegun) == 0)
                Fail($"{member} threw ObjectDisposedException before Dispose was called");
            return false;
        }
        catch (Exception e)
        {
            Fail($"{member}: unexpected {e}");
            return false;
        }
        if (disposedBefore)
            Fail($"{member} returned normally on an index disposed before the call began");
        return true;
    }

    /// <summary>The checks every search answer must pass; <paramref name="mayReturn"/> judges each hit's label and distance.</summary>
    protected void CheckHits(string member, ReadOnlySpan<SearchResult> hits, int k, Func<long, bool>? filter, bool mustFind,
        Func<SearchResult, string?> mayReturn, Func<long, bool> mayRepeat)
    {
        if (hits.Length > k)
            Fail($"{member} returned {hits.Length} hits for k = {k}");
        if (mustFind && hits.Length == 0)
            Fail($"{member} returned nothing from an index with live vectors (k = {k}, Count {Index.Count}, NodeCount {Index.NodeCount}, options {Index.Options})");
        for (int i = 0; i < hits.Length; i++)
        {
            var hit = hits[i];
            if (i > 0 && hit.Distance < hits[i - 1].Distance)
                Fail($"{member}: hit {i} ({hit.Distance}) is nearer than hit {i - 1} ({hits[i - 1].Distance})");
            if (filter is not null && !filter(hit.Label))
                Fail($"{member}: hit {i} (label {hit.Label}) is rejected by the filter");
            if (mayReturn(hit) is { } why)
                Fail($"{member}: hit {i} (label {hit.Label}, distance {hit.Distance}): {why}");
            if (!mayRepeat(hit.Label))
            {
                for (int j = 0; j < i; j++)
                {
                    if (hits[j].Label == hit.Label)
                        Fail($"{member}: label {hit.Label} returned twice");
                }
            }
        }
    }
}

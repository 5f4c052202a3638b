using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Graph;

public sealed class HnswIndexBehaviourTests
{
    private const int Dims = 32;

    private static HnswIndex Build(float[] data, DistanceMetric metric = DistanceMetric.Cosine, int threads = -1, ulong seed = 42)
    {
        var index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = metric, Seed = seed });
        index.AddRange(Datasets.RowLabels(data.Length / Dims), data, threads);
        return index;
    }

    [Fact]
    public void MarkDeleted_DeletedLabels_NeverReturnedAndRestStaysFindable()
    {
        const int n = 3_000;
        var data = Datasets.Clustered(n, Dims, seed: 3);
        var queries = Datasets.Clustered(200, Dims, seed: 3_000);
        using var index = Build(data);
        for (int i = 0; i < n; i += 2)
            index.MarkDeleted(i);
        Assert.Equal(n / 2, index.Count);

        var truth = BruteForce.KNearest(data, queries, Dims, 10, DistanceMetric.Cosine, include: row => row % 2 == 1);
        var found = new List<IReadOnlyList<long>>();
        for (int q = 0; q < 200; q++)
        {
            var hits = index.Search(Datasets.Row(queries, Dims, q), 10, ef: 100);
            Assert.All(hits, h => Assert.True(h.Label % 2 == 1, $"deleted label {h.Label} returned"));
            found.Add(hits.Select(h => h.Label).ToArray());
        }
        double recall = Recall.AtK(found, truth, 10);
        Assert.True(recall >= 0.95, $"recall over live labels {recall:F4}");
    }

    [Fact]
    public void Unmark_DeletedLabel_IsFoundAgain()
    {
        var data = Datasets.Gaussian(500, Dims, seed: 4);
        using var index = Build(data);
        index.MarkDeleted(17);
        Assert.False(index.Contains(17));
        Assert.DoesNotContain(index.Search(Datasets.Row(data, Dims, 17), 5, 100), r => r.Label == 17);
        index.Unmark(17);
        Assert.True(index.Contains(17));
        Assert.Equal(17, index.Search(Datasets.Row(data, Dims, 17), 1, 100)[0].Label);
    }

    [Fact]
    public void Add_ExistingLabel_ReplacesVector()
    {
        var data = Datasets.Gaussian(1_000, Dims, seed: 6);
        using var index = Build(data, DistanceMetric.L2);
        var replacement = Datasets.Gaussian(1, Dims, seed: 600);
        index.Add(5, replacement);

        Assert.Equal(1_000, index.Count);
        Assert.Equal(1_001, index.NodeCount);
        Assert.Equal(replacement, index.GetVector(5));
        var nearNew = index.Search(replacement, 1, 100)[0];
        Assert.Equal(5, nearNew.Label);
        Assert.Equal(0f, nearNew.Distance);
        // Near the old vector, label 5 may appear only at its new distance, never the old one (0).
        var nearOld = index.Search(Datasets.Row(data, Dims, 5), 10, 100);
        Assert.DoesNotContain(nearOld, r => r.Label == 5 && r.Distance == 0f);
        Assert.True(nearOld.Count(r => r.Label == 5) <= 1);
    }

    [Fact]
    public void Add_SameLabelSameVectorManyTimes_IsNoOpAndStaysFindable()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 8);
        using var index = Build(data, DistanceMetric.L2, threads: 1);
        var vector = Datasets.Row(data, Dims, 11);
        for (int i = 0; i < 200; i++)
            index.Add(11, vector);

        // Each re-add used to supersede the node with an identical one; the hidden copies crowded the
        // label's neighbourhood at distance 0 until searches no longer reached the live one.
        Assert.Equal(2_000, index.NodeCount);
        Assert.Equal(2_000, index.Count);
        var hit = index.Search(vector, 1, 50)[0];
        Assert.Equal(11, hit.Label);
        Assert.Equal(0f, hit.Distance);
    }

    [Fact]
    public void Add_DeletedLabelAgain_RevivesIt()
    {
        var data = Datasets.Gaussian(300, Dims, seed: 7);
        using var index = Build(data);
        index.MarkDeleted(3);
        index.Add(3, Datasets.Row(data, Dims, 3));
        Assert.True(index.Contains(3));
        Assert.Equal(300, index.Count);
        // The same vector again: its own node is revived, no new one added.
        Assert.Equal(300, index.NodeCount);
        Assert.Equal(3, index.Search(Datasets.Row(data, Dims, 3), 1, 100)[0].Label);
    }

    [Fact]
    public void Search_WithFilter_ReturnsOnlyAcceptedAndMatchesBruteForce()
    {
        const int n = 3_000;
        var data = Datasets.Clustered(n, Dims, seed: 9);
        var queries = Datasets.Clustered(100, Dims, seed: 9_000);
        using var index = Build(data);
        Func<long, bool> filter = label => label % 3 == 0;
        var truth = BruteForce.KNearest(data, queries, Dims, 10, DistanceMetric.Cosine, include: row => row % 3 == 0);
        var found = new List<IReadOnlyList<long>>();
        for (int q = 0; q < 100; q++)
        {
            var hits = index.Search(Datasets.Row(queries, Dims, q), 10, 100, filter);
            Assert.All(hits, h => Assert.Equal(0, h.Label % 3));
            found.Add(hits.Select(h => h.Label).ToArray());
        }
        Assert.True(Recall.AtK(found, truth, 10) >= 0.95);
    }

    [Fact]
    public void Search_FilterAcceptingNothing_ReturnsEmpty()
    {
        using var index = Build(Datasets.Gaussian(500, Dims, seed: 10));
        Assert.Empty(index.Search(Datasets.Gaussian(1, Dims, seed: 1), 10, 50, _ => false));
    }

    [Fact]
    public void Build_SameSeedSingleThreaded_IsReproducible()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 12);
        var queries = Datasets.Gaussian(50, Dims, seed: 12_000);
        using var a = Build(data, threads: 1, seed: 99);
        using var b = Build(data, threads: 1, seed: 99);
        for (int q = 0; q < 50; q++)
            Assert.Equal(a.Search(Datasets.Row(queries, Dims, q), 10, 40), b.Search(Datasets.Row(queries, Dims, q), 10, 40));
    }

    [Fact]
    public void Add_OneByOneFromTinyCapacity_GrowsAndKeepsRecall()
    {
        const int n = 3_000;
        var data = Datasets.Clustered(n, Dims, seed: 13);
        var queries = Datasets.Clustered(100, Dims, seed: 13_000);
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims, InitialCapacity = 0 });
        for (int i = 0; i < n; i++)
            index.Add(i, Datasets.Row(data, Dims, i));
        Assert.Equal(n, index.Count);
        Assert.True(index.Capacity >= n);
        var truth = BruteForce.KNearest(data, queries, Dims, 10, DistanceMetric.Cosine);
        Assert.True(Recall.Measure(index, queries, truth, 10, 100) >= 0.97);
    }

    [Fact]
    public void Search_Results_AreSortedDistinctAndTrueDistances()
    {
        var data = Datasets.Gaussian(1_000, Dims, seed: 14);
        using var index = Build(data, DistanceMetric.L2);
        var query = Datasets.Gaussian(1, Dims, seed: 1_400);
        var hits = index.Search(query, 20, 64);
        Assert.Equal(20, hits.Length);
        Assert.Equal(hits.Length, hits.Select(h => h.Label).Distinct().Count());
        for (int i = 1; i < hits.Length; i++)
            Assert.True(hits[i - 1].Distance <= hits[i].Distance);
        foreach (var hit in hits)
        {
            double exact = BruteForce.Distance(query, Datasets.Row(data, Dims, (int)hit.Label), DistanceMetric.L2);
            Assert.Equal(exact, hit.Distance, exact * 1e-5 + 1e-5);
        }
    }

    [Fact]
    public void Search_SpanOverload_AllocatesNothingOnceWarm()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 15);
        var queries = Datasets.Gaussian(100, Dims, seed: 15_000);
        using var index = Build(data);
        index.MarkDeleted(1);
        var results = new SearchResult[10];
        Func<long, bool> filter = label => label != 2;
        for (int q = 0; q < 100; q++)
        {
            index.Search(Datasets.Row(queries, Dims, q), results, 64);
            index.Search(Datasets.Row(queries, Dims, q), results, 64, filter);
        }
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            for (int q = 0; q < 100; q++)
            {
                index.Search(Datasets.Row(queries, Dims, q), results, 64);
                index.Search(Datasets.Row(queries, Dims, q), results, 64, filter);
            }
        }));
    }

    [Fact]
    public async Task ConcurrentAddAndSearch_FindsEveryVectorAddedBeforeTheSearchBegan()
    {
        const int n = 4_000;
        var data = Datasets.Clustered(n, Dims, seed: 16);
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = DistanceMetric.L2, InitialCapacity = 64 });
        // Writer w adds the indices ≡ w (mod 2) in order; every index up to the smaller of the two
        // progress marks has been added (Add returned) before a search that reads them starts.
        var progress = new int[] { -1, -1 };
        var misses = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var done = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (int i = w; i < n; i += 2)
            {
                index.Add(i, Datasets.Row(data, Dims, i));
                Volatile.Write(ref progress[w], i);
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            var results = new SearchResult[1];
            while (!done.IsCancellationRequested)
            {
                int limit = Math.Min(Volatile.Read(ref progress[0]), Volatile.Read(ref progress[1]));
                if (limit < 1)
                    continue;
                int target = random.Next(limit + 1);
                index.Search(Datasets.Row(data, Dims, target), results, 200);
                if (results[0].Label != target && results[0].Distance != 0f)
                    misses.Add(target);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.Equal(n, index.Count);
        Assert.Empty(misses);
    }

    [Fact]
    public async Task Dispose_WhileSearching_AnswersCorrectlyThenThrowsDisposed()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 17);
        var index = Build(data);
        // Searches of an index nobody writes are deterministic: each answer must equal the one given before the race.
        var expected = new long[2_000];
        var first = new SearchResult[10];
        for (int row = 0; row < expected.Length; row++)
        {
            index.Search(Datasets.Row(data, Dims, row), first, 50);
            expected[row] = first[0].Label;
        }
        int searched = 0;
        var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var results = new SearchResult[10];
            for (int i = 0; ; i++)
            {
                int row = i % 2_000;
                try
                {
                    index.Search(Datasets.Row(data, Dims, row), results, 50);
                }
                catch (ObjectDisposedException)
                {
                    return true;
                }
                if (results[0].Label != expected[row])
                    wrong.Add($"row {row}: nearest {results[0].Label}, before the race {expected[row]}");
                Interlocked.Increment(ref searched);
            }
        })).ToArray();
        // Dispose only once both readers are well into their loops, so it races real searches.
        while (Volatile.Read(ref searched) < 2_000)
            await Task.Yield();
        index.Dispose();
        bool[] endedByDispose = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.All(endedByDispose, Assert.True);
        Assert.Empty(wrong);
    }

    [Fact]
    public void GetVector_Cosine_ReturnsUnitLengthCopy()
    {
        using var index = new HnswIndex(new HnswOptions { Dimensions = 3 });
        index.Add(1, [3f, 0f, 4f]);
        Assert.Equal([0.6f, 0f, 0.8f], index.GetVector(1));
    }
}

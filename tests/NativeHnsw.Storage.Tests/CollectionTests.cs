using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

public sealed class CollectionTests
{
    private static readonly CollectionOptions s_l2 = new() { Dimensions = 8, Metric = DistanceMetric.L2, M = 8, EfConstruction = 64 };

    [Fact]
    public void Collections_CreateGetListDelete_BehaveAsChroma()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var a = client.CreateCollection("alpha", s_l2);
        Assert.Same(a, client.GetCollection("alpha"));
        Assert.Same(a, client.GetOrCreateCollection("alpha", s_l2));
        client.GetOrCreateCollection("beta", s_l2 with { Metric = DistanceMetric.Cosine });
        Assert.Equal(["alpha", "beta"], client.ListCollections());
        Assert.Throws<CollectionExistsException>(() => client.CreateCollection("alpha", s_l2));
        Assert.Throws<CollectionExistsException>(() => client.GetOrCreateCollection("alpha", s_l2 with { Dimensions = 9 }));
        a.Add("x", new float[8]);
        client.DeleteCollection("alpha");
        Assert.Equal(["beta"], client.ListCollections());
        Assert.Throws<CollectionNotFoundException>(() => client.GetCollection("alpha"));
        Assert.Throws<CollectionNotFoundException>(() => a.Count());
        Assert.Throws<CollectionNotFoundException>(() => client.DeleteCollection("alpha"));
        // A new collection of the old name starts empty.
        Assert.Equal(0, client.CreateCollection("alpha", s_l2).Count());
    }

    [Fact]
    public void Records_AddUpsertUpdateDeleteGet_RoundTripAcrossReopen()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(50, 8, seed: 3);
        string[] ids = [.. Enumerable.Range(0, 50).Select(i => $"id{i}")];
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("docs", s_l2);
            c.Add(ids, [.. Enumerable.Range(0, 50).Select(i => Datasets.Row(data, 8, i).ToArray())],
                [.. ids.Select(id => (string?)("text of " + id))],
                [.. Enumerable.Range(0, 50).Select(i => (IReadOnlyDictionary<string, object?>?)Meta.Of(("n", i), ("even", i % 2 == 0), ("w", i * 0.5)))]);
            c.Upsert("id1", [.. Enumerable.Repeat(1f, 8)], "new text", Meta.Of(("n", null), ("tag", "t")));
            c.Update(["id2"], documents: ["doc2"]);
            Assert.Equal(2, c.Delete(["id3", "id4", "nope"]));
            Assert.Equal(48, c.Count());
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("docs");
            Assert.Equal(48, c.Count());
            var one = c.Get(["id1", "id2", "id3"], include: Include.All);
            Assert.Equal(["id1", "id2"], one.Select(r => r.Id));
            Assert.Equal("new text", one[0].Document);
            Assert.Equal(Enumerable.Repeat(1f, 8), one[0].Embedding);
            Assert.Equal("even=false,tag=\"t\",w=0.5d", Meta.Text(one[0].Metadata));
            Assert.Equal("doc2", one[1].Document);
            Assert.Equal("even=true,n=2,w=1d", Meta.Text(one[1].Metadata));
            Assert.Equal(Datasets.Row(data, 8, 2).ToArray(), one[1].Embedding);
            // Insertion order, limit and offset.
            Assert.Equal(["id5", "id6"], c.Get(limit: 2, offset: 3).Select(r => r.Id));
            Assert.Equal(10, c.Peek().Count);
            var hits = c.Query(Datasets.Row(data, 8, 7), k: 3);
            Assert.Equal("id7", hits[0].Id);
            Assert.Equal(0f, hits[0].Distance);
            Assert.Equal("text of id7", hits[0].Document);
            Assert.Empty(c.CheckIndexAgreesWithDatabase());
        }
    }

    [Fact]
    public void Query_HighEf_EqualsBruteForceOverLiveRecords()
    {
        using var folder = new TempDirectory();
        const int n = 600, dims = 24;
        var data = Datasets.Clustered(n, dims, seed: 11);
        var queries = Datasets.Gaussian(20, dims, seed: 12);
        using var client = new PersistentClient(folder.Path);
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.InnerProduct })
        {
            var c = client.CreateCollection("m" + metric, new CollectionOptions { Dimensions = dims, Metric = metric });
            c.Add([.. Enumerable.Range(0, n).Select(i => $"r{i}")], [.. Enumerable.Range(0, n).Select(i => Datasets.Row(data, dims, i).ToArray())],
                metadatas: [.. Enumerable.Range(0, n).Select(i => (IReadOnlyDictionary<string, object?>?)Meta.Of(("mod", (long)(i % 7))))]);
            c.Delete([.. Enumerable.Range(0, n).Where(i => i % 5 == 0).Select(i => $"r{i}")]);
            for (int q = 0; q < 20; q++)
            {
                var query = Datasets.Row(queries, dims, q);
                AssertSameAsBruteForce(c.Query(query, 10, ef: 400), 10, query, data, dims, metric, i => i % 5 != 0);
                AssertSameAsBruteForce(c.Query(query, 10, Where.Eq("mod", 3), ef: 400), 10, query, data, dims, metric, i => i % 5 != 0 && i % 7 == 3);
            }
        }
    }

    [Fact]
    public void Query_FilterAllowingMoreThanExactThreshold_SearchesGraphWithPredicate()
    {
        using var folder = new TempDirectory();
        // Past both exact-search limits: more than ExactSearchThreshold matches, and matches × dimensions over
        // ExactSearchComponents (4,200 × 256 > 2^20), so only the graph walk with a predicate can answer.
        const int dims = 256;
        int n = 8_400;
        Assert.True(n / 2 > Collection.ExactSearchThreshold && (long)(n / 2) * dims > Collection.ExactSearchComponents);
        var data = Datasets.Clustered(n, dims, seed: 5);
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("big", s_l2 with { Dimensions = dims });
        c.Add([.. Enumerable.Range(0, n).Select(i => $"r{i}")], [.. Enumerable.Range(0, n).Select(i => Datasets.Row(data, dims, i).ToArray())],
            metadatas: [.. Enumerable.Range(0, n).Select(i => (IReadOnlyDictionary<string, object?>?)Meta.Of(("odd", i % 2 == 1)))]);
        var queries = Datasets.Clustered(10, dims, seed: 6);
        long before = c.FilteredGraphSearches;
        for (int q = 0; q < 10; q++)
        {
            var query = Datasets.Row(queries, dims, q);
            AssertSameAsBruteForce(c.Query(query, 5, Where.Eq("odd", true), ef: 500), 5, query, data, dims, DistanceMetric.L2, i => i % 2 == 1);
        }
        Assert.Equal(before + 10, c.FilteredGraphSearches);
    }

    [Fact]
    public void Durability_Strict_SetsSynchronousFull()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path, new StoreOptions { Durability = Durability.Strict }))
            Assert.Equal(2, client.Database.SynchronousLevel);
        using (var client = new PersistentClient(folder.Path))
            Assert.Equal(1, client.Database.SynchronousLevel);
    }

    [Fact]
    public void Checkpoint_PolicyEveryN_KeepsTwoAndReopensWithoutReplay()
    {
        using var folder = new TempDirectory();
        var options = new StoreOptions { Checkpoints = new CheckpointPolicy { EveryChanges = 10, OnDispose = false, Interval = null } };
        var data = Datasets.Gaussian(45, 8, seed: 1);
        using (var client = new PersistentClient(folder.Path, options))
        {
            var c = client.CreateCollection("c", s_l2);
            for (int i = 0; i < 45; i++)
                c.Add($"r{i}", Datasets.Row(data, 8, i).ToArray());
            var files = client.Layout.Checkpoints(c.Id);
            Assert.Equal(2, files.Count);
            Assert.Equal(5, c.PendingChanges);
        }
        using (var client = new PersistentClient(folder.Path, options))
        {
            var c = client.GetCollection("c");
            Assert.NotNull(c.Recovery.Checkpoint);
            Assert.Equal(5, c.Recovery.ReplayedRecords);
            Assert.Equal(45, c.Count());
            Assert.Empty(c.CheckIndexAgreesWithDatabase());
            c.Checkpoint();
            Assert.Equal(0, c.PendingChanges);
        }
        using (var client = new PersistentClient(folder.Path, options))
            Assert.Equal(0, client.GetCollection("c").Recovery.ReplayedRecords);
    }

    [Fact]
    public void Checkpoint_TimePolicy_CheckpointsInTheBackground()
    {
        using var folder = new TempDirectory();
        var options = new StoreOptions { Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = TimeSpan.FromMilliseconds(100) } };
        using var client = new PersistentClient(folder.Path, options);
        var c = client.CreateCollection("c", s_l2);
        c.Add("a", [.. Enumerable.Repeat(0.5f, 8)]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (c.PendingChanges > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        Assert.Equal(0, c.PendingChanges);
        Assert.NotEmpty(client.Layout.Checkpoints(c.Id));
    }

    [Fact]
    public async Task Concurrency_ReadersDuringWrites_SeeWholeBatchesOnly()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", s_l2);
        const int batches = 40, size = 20;
        var writer = Task.Run(() =>
        {
            for (int b = 0; b < batches; b++)
            {
                c.Add([.. Enumerable.Range(0, size).Select(j => $"b{b}-{j}")], [.. Enumerable.Range(0, size).Select(j => CrashChild.CrashPlan.Vector(b, j, 0)[..8])]);
            }
        }, TestContext.Current.CancellationToken);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                Assert.Equal(0, c.Count() % size);
                Assert.Equal(0, c.Get(where: Where.Nin("none", "x")).Count % size);
                c.Query(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, 5);
            }
        })).ToArray();
        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(batches * size, c.Count());
        Assert.Empty(c.CheckIndexAgreesWithDatabase());
    }

    internal static void AssertSameAsBruteForce(IReadOnlyList<QueryHit> hits, int k, ReadOnlySpan<float> query, float[] data, int dims, DistanceMetric metric, Func<int, bool> live)
    {
        var q = query.ToArray();
        var expected = Enumerable.Range(0, data.Length / dims).Where(live)
            .Select(i => (Id: $"r{i}", Distance: BruteForce.Distance(q, Datasets.Row(data, dims, i), metric)))
            .OrderBy(x => x.Distance).Take(k).ToList();
        Assert.Equal(expected.Count, hits.Count);
        for (int i = 0; i < hits.Count; i++)
        {
            // Equal distances may come in either order; compare distances, then the set of ids.
            Assert.True(Math.Abs(expected[i].Distance - hits[i].Distance) <= 1e-3 * Math.Max(1, Math.Abs(expected[i].Distance)),
                $"rank {i}: expected {expected[i].Id} at {expected[i].Distance}, got {hits[i].Id} at {hits[i].Distance}");
        }
        Assert.Equal(expected.Select(e => e.Id).Order(), hits.Select(h => h.Id).Order());
    }
}

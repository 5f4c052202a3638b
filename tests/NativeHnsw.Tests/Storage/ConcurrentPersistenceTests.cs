using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

public sealed class ConcurrentPersistenceTests
{
    private const int Dims = 16;

    [Fact]
    public async Task Save_WhileSearchingAndAdding_WritesAConsistentSnapshot()
    {
        var data = Datasets.Gaussian(3_000, Dims, seed: 21);
        using var folder = new TempDirectory();
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims, EfConstruction = 32 });
        index.AddRange(Datasets.RowLabels(1_000), data.AsMemory(0, 1_000 * Dims));
        using var stop = new CancellationTokenSource();
        var searcher = Task.Run(() =>
        {
            int q = 0;
            while (!stop.IsCancellationRequested)
                Assert.NotEmpty(index.Search(Datasets.Row(data, Dims, q++ % 3_000), 5));
        }, TestContext.Current.CancellationToken);
        var adder = Task.Run(() =>
        {
            for (int i = 1_000; i < 3_000; i++)
            {
                index.Add(i, Datasets.Row(data, Dims, i));
                if (i % 7 == 0)
                    index.MarkDeleted(i - 500);
            }
        }, TestContext.Current.CancellationToken);
        for (int s = 0; s < 10; s++)
        {
            string path = folder.File($"snapshot-{s}.nhnsw");
            index.Save(path);
            var verification = HnswIndex.Verify(path);
            Assert.InRange(verification.NodeCount, 1_000, 3_000);
        }
        await adder;
        await stop.CancelAsync();
        await searcher;
        index.Save(folder.File("final.nhnsw"));
        using var loaded = HnswIndex.Load(folder.File("final.nhnsw"));
        GraphAssert.SameGraph(index, loaded);
    }

    [Fact]
    public async Task MappedDispose_WhileSearching_SearchesFinishOrSeeDisposed()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 22);
        using var folder = new TempDirectory();
        string path = folder.File("index.nhnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = Dims, EfConstruction = 32 }))
        {
            index.AddRange(Datasets.RowLabels(2_000), data);
            index.Save(path);
        }
        for (int round = 0; round < 5; round++)
        {
            var mapped = HnswIndex.Open(path);
            using var started = new CountdownEvent(4);
            var searchers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                started.Signal();
                for (int q = 0; ; q++)
                {
                    try
                    {
                        Assert.NotEmpty(mapped.Search(Datasets.Row(data, Dims, (q * 4 + t) % 2_000), 10, 64));
                        _ = mapped.Contains(q);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            }, TestContext.Current.CancellationToken)).ToArray();
            started.Wait(TestContext.Current.CancellationToken);
            await Task.Delay(20, TestContext.Current.CancellationToken);
            mapped.Dispose();
            await Task.WhenAll(searchers);
        }
    }

    [Fact]
    public void Mapped_Changes_ThrowNotSupported()
    {
        using var folder = new TempDirectory();
        string path = folder.File("index.nhnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 4 }))
        {
            index.Add(1, [1, 2, 3, 4]);
            index.Save(path);
        }
        using var mapped = HnswIndex.Open(path);
        Assert.Throws<NotSupportedException>(() => mapped.Add(2, [1, 1, 1, 1]));
        Assert.Throws<NotSupportedException>(() => mapped.AddRange(new long[] { 2 }, new float[] { 1, 1, 1, 1 }));
        Assert.Throws<NotSupportedException>(() => mapped.MarkDeleted(1));
        Assert.Throws<NotSupportedException>(() => mapped.Unmark(1));
        Assert.Throws<NotSupportedException>(() => mapped.Reserve(10));
        Assert.True(mapped.Contains(1));
        Assert.Equal(1, mapped.Search([1, 2, 3, 4], 1)[0].Label);
        // A mapped index saves a copy of itself, byte for byte.
        mapped.Save(folder.File("copy.nhnsw"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(folder.File("copy.nhnsw")));
    }

    [Fact]
    public void Load_DefaultEf_IsTheSavedOne()
    {
        using var folder = new TempDirectory();
        string path = folder.File("index.nhnsw");
        var options = new HnswOptions { Dimensions = 3, DefaultEf = 321, EfConstruction = 77, M = 9, Metric = DistanceMetric.InnerProduct, Seed = 5 };
        using (var index = new HnswIndex(options))
            index.Save(path);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        Assert.Equal(options with { InitialCapacity = options.InitialCapacity }, loaded.Options);
        Assert.Equal(options, mapped.Options);
        Assert.Empty(mapped.Search([1, 0, 0], 3));
    }
}

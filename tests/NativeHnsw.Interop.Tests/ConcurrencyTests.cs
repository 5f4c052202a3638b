namespace NativeHnsw.Interop.Tests;

/// <summary>Dispose racing searches: every search either completes or reports the disposal, and the process survives.</summary>
public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    public void Dispose_DuringSearches_IsSafe(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        for (int round = 0; round < 5; round++)
        {
            var engine = factory.Create(TestData.Options(DistanceMetric.L2));
            engine.AddBatch(TestData.Labels.AsMemory(0, 1000), TestData.Base.AsMemory(0, 1000 * TestData.Dimensions));
            int completed = 0;
            Exception? failure = null;
            using var started = new CountdownEvent(4);
            // Dedicated threads, not the thread pool: blocked pool threads would make the test wait on thread injection.
            var searchers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                started.Signal();
                try
                {
                    for (int i = 0; ; i++)
                    {
                        var hits = engine.Search(TestData.Queries.AsSpan(i % TestData.QueryCount * TestData.Dimensions, TestData.Dimensions), 10, 64);
                        if (hits.Length != 10)
                            throw new InvalidOperationException($"{hits.Length} hits");
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The expected end of every searcher.
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            })).ToArray();
            foreach (var thread in searchers)
                thread.Start();
            started.Wait(TestContext.Current.CancellationToken);
            Thread.Sleep(10);
            engine.Dispose();
            foreach (var thread in searchers)
                thread.Join();
            Assert.Null(failure);
            Assert.True(completed > 0);
        }
    }

    [Theory]
    [InlineData(FaissEngine.EngineName)]
    [InlineData(HnswlibEngine.EngineName)]
    [InlineData(UsearchEngine.EngineName)]
    public void ConcurrentSearches_SameEf_AllCorrect(string engineName)
    {
        var factory = NativeRequirement.Engine(engineName);
        using var engine = factory.Create(TestData.Options(DistanceMetric.L2));
        engine.AddBatch(TestData.Labels, TestData.Base);
        var expected = Enumerable.Range(0, TestData.QueryCount)
            .Select(q => engine.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), 10, 64))
            .ToArray();
        Parallel.For(0, TestData.QueryCount * 4, i =>
        {
            int q = i % TestData.QueryCount;
            Assert.Equal(expected[q], engine.Search(TestData.Queries.AsSpan(q * TestData.Dimensions, TestData.Dimensions), 10, 64));
        });
    }
}

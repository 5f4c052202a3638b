namespace NativeHnsw.Storage.Tests;

public sealed class IndexFailureTests
{
    private static readonly CollectionOptions s_options = new() { Dimensions = 4, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 };

    [Fact]
    public void Write_IndexFailsAfterCommit_ThrowsIndexUpdateFailedNotAStoreExceptionAndTheRecordIsKept()
    {
        using var folder = new TempDirectory();
        using (var client = new PersistentClient(folder.Path, new StoreOptions { Log = _ => { } }))
        {
            var c = client.CreateCollection("c", s_options);
            c.Add("a", [1, 0, 0, 0]);
            // The index goes away under the collection, as an allocation failure inside it would leave it unusable.
            c.Index.Dispose();
            var e = Record.Exception(() => c.Add("b", [0, 1, 0, 0], "doc b"));
            var failed = Assert.IsType<IndexUpdateFailedException>(e);
            Assert.IsNotAssignableFrom<StoreException>(e);
            Assert.Equal("c", failed.Collection);
            Assert.Equal(client.Path, failed.StorePath);
            Assert.Contains("committed", failed.Message);
            // Later calls changed nothing: those are store errors, saying to reopen.
            var refused = Assert.Throws<StoreException>(() => c.Add("x", [0, 0, 1, 0]));
            Assert.Contains("reopen", refused.Message);
        }
        using var reopened = new PersistentClient(folder.Path);
        var again = reopened.GetCollection("c");
        Assert.Equal(["a", "b"], again.Get().Select(r => r.Id));
        Assert.Equal("doc b", again.Get(["b"])[0].Document);
        Assert.Empty(again.CheckIndexAgreesWithDatabase());
        Assert.Equal("b", again.Query([0, 1, 0, 0], 1)[0].Id);
    }
}

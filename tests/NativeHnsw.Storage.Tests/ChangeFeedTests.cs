using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>The shipping log: written only while enabled, every kind of commit with its values, kept until shipped.</summary>
public sealed class ChangeFeedTests
{
    private static readonly DateTimeOffset s_origin = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Log_NotEnabled_WritesNothing_EnabledBesideAnOpenWriter_LogsItsNextCommit()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_origin);
        using var client = new PersistentClient(dir.Path, new StoreOptions { TimeProvider = time });
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        docs.Upsert("a", [1f, 2f]);
        using var feed = ChangeFeed.Open(dir.Path);
        Assert.False(feed.IsEnabled);
        Assert.Equal(0, feed.LastSequence());

        long watermark = feed.Enable(time);
        Assert.Equal(watermark + 1, feed.LastSequence()); // the marker commit
        time.Advance(TimeSpan.FromSeconds(3));
        docs.Upsert("b", [3f, 4f]); // the writer was not reopened
        var commits = feed.Read(watermark, 100, long.MaxValue);
        Assert.Equal(2, commits.Count);
        Assert.Equal(s_origin.AddSeconds(3), commits[1].CommittedAt);
    }

    [Fact]
    public void Log_HoldsDocumentOnlyUpdates_Renames_AndCollectionChanges_AndAppliesThemExactly()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_origin);
        string source = dir.File("source");
        Directory.CreateDirectory(source);
        using var client = new PersistentClient(source, new StoreOptions { TimeProvider = time });
        using var feed = ChangeFeed.Open(source);
        long start = feed.Enable(time);
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2 }, new Dictionary<string, object?> { ["k"] = 1L });
        docs.Upsert(["a", "b"], [[1f, 2f], [3f, 4f]], ["doc a", null], [new Dictionary<string, object?> { ["n"] = 1L, ["f"] = 0.5 }, null]);
        docs.Update(["a"], null, ["new doc"], [new Dictionary<string, object?> { ["n"] = null, ["s"] = "x" }]);
        docs.Delete(["b"]);
        docs.Modify("renamed", new Dictionary<string, object?>());
        client.CreateCollection("other", new CollectionOptions { Dimensions = 3 });
        client.DeleteCollection("other");
        var commits = feed.Read(start, 100, long.MaxValue);
        Assert.Equal(8, commits.Count); // marker + 7 commits

        string copy = dir.File("copy");
        using (var replayed = new PersistentClient(copy))
        {
            foreach (var commit in commits)
                ChangeFeed.Apply(replayed, commit);
            Assert.Equal(["renamed"], replayed.ListCollections());
            var renamed = replayed.GetCollection("renamed");
            Assert.Null(renamed.Metadata);
            Assert.Equal(DistanceMetric.L2, renamed.Options.Metric);
            var a = Assert.Single(renamed.Get(include: Include.All));
            Assert.Equal("a", a.Id);
            Assert.Equal("new doc", a.Document);
            Assert.Equal([1f, 2f], a.Embedding!);
            Assert.Equal(new Dictionary<string, object> { ["f"] = 0.5, ["s"] = "x" }, a.Metadata);
        }
    }

    [Fact]
    public void MarkShipped_DeletesShippedRows_ButKeepsTheNewest_AndNeverGoesBack()
    {
        using var dir = new TempDirectory();
        using var client = new PersistentClient(dir.Path);
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        using var feed = ChangeFeed.Open(dir.Path);
        long start = feed.Enable();
        for (int i = 0; i < 5; i++)
            docs.Upsert("r" + i, [i, 1f]);
        long last = feed.LastSequence();
        feed.MarkShipped(last);
        Assert.Equal(last, feed.Shipped);
        Assert.Equal(last, feed.LastSequence()); // the newest row stays: a snapshot reads its position from it
        Assert.Empty(feed.Read(last, 10, long.MaxValue));
        feed.MarkShipped(start);
        Assert.Equal(last, feed.Shipped);
        var e = Assert.Throws<StoreException>(() => feed.Read(start, 10, long.MaxValue));
        Assert.Contains("removed before they were shipped", e.Message, StringComparison.Ordinal);

        client.Dispose();
        var position = ChangeFeed.ReadPosition(dir.Path);
        Assert.True(position.Enabled);
        Assert.Equal(last, position.Sequence);
        ChangeFeed.Disable(dir.Path);
        Assert.Equal(new ChangeFeedPosition(false, 0, null), ChangeFeed.ReadPosition(dir.Path));
    }
}

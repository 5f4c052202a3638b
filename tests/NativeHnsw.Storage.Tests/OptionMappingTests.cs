namespace NativeHnsw.Storage.Tests;

/// <summary>The one options mapping: every field survives the database, a snapshot and the index options, including a seed above long.MaxValue.</summary>
public sealed class OptionMappingTests
{
    private static readonly CollectionOptions s_unusual = new()
    {
        Dimensions = 7,
        Metric = DistanceMetric.InnerProduct,
        M = 5,
        EfConstruction = 33,
        DefaultEf = 17,
        Seed = ulong.MaxValue - 12,
    };

    [Fact]
    public void Options_ThroughDatabaseSnapshotAndIndex_RoundTripEveryField()
    {
        using var folder = new TempDirectory();
        using var copy = new TempDirectory();
        using (var client = new PersistentClient(folder.Path))
        {
            client.CreateCollection("c", s_unusual).Add("a", [1, 2, 3, 4, 5, 6, 7]);
            var snapshot = client.CreateSnapshot(Path.Combine(copy.Path, "s"));
            Assert.Equal(s_unusual, Assert.Single(snapshot.Collections).Options);
        }
        using var reopened = new PersistentClient(folder.Path);
        var c = reopened.GetCollection("c");
        Assert.Equal(s_unusual, c.Options);
        Assert.Same(c, reopened.GetOrCreateCollection("c", s_unusual));
        var hnsw = s_unusual.ToHnsw(100);
        Assert.Equal(100, hnsw.InitialCapacity);
        Assert.Equal(s_unusual, CollectionOptions.FromHnsw(hnsw));
        Assert.Equal(s_unusual, CollectionOptions.FromHnsw(c.Index.Options));
    }
}

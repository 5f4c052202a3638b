using System.Text.Json;

namespace NativeHnsw.Storage.Tests;

/// <summary>Result and info types print their contents (not type names) and serialise through the generated JSON context.</summary>
public sealed class PrintingTests
{
    [Fact]
    public void ToString_ResultAndInfoTypes_ShowContentsNotTypeNames()
    {
        var record = new StoredRecord("a", [1, 2.5f, 3, 4, 5], "doc", new Dictionary<string, object> { ["k"] = 1L, ["f"] = 0.5, ["s"] = "x", ["b"] = true });
        Assert.Equal("StoredRecord { Id = a, Embedding = [1, 2.5, 3, 4, …] (5 floats), Document = \"doc\", Metadata = { b: true, f: 0.5, k: 1, s: \"x\" } }", record.ToString());
        var hit = new QueryHit("b", float.NaN, null, null, null);
        Assert.Equal("QueryHit { Id = b, Distance = NaN, Embedding = null, Document = null, Metadata = null }", hit.ToString());
        var recovery = new RecoveryInfo(null, 0, 70, ["/s/index-1.nhnsw: checksum mismatch"], TimeSpan.FromMilliseconds(12.5));
        string text = recovery.ToString();
        Assert.Contains("DamagedCheckpoints = [/s/index-1.nhnsw: checksum mismatch]", text);
        Assert.Contains("Checkpoint = none (rebuilt from the database)", text);
        Assert.DoesNotContain("System.", text);
        var snapshot = new CollectionSnapshot("c", 1, new CollectionOptions { Dimensions = 3 }, 10, [.. Enumerable.Range(0, 10).Select(i => $"r{i}")], null);
        Assert.Contains("SampleIds = [r0, r1, r2, r3, r4, r5, r6, r7, … (10 in all)]", snapshot.ToString());
        Assert.DoesNotContain("System.", new StoreSnapshot("/x", 3, [snapshot], ["store.db"]).ToString());
    }

    [Fact]
    public void Json_ThroughTheGeneratedContext_SerialisesCleanly()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2 });
        c.Add("a", [1, 2], "doc", Meta.Of(("k", 1L), ("f", 0.5), ("s", "x"), ("b", true)));
        var hits = c.Query([1, 2], 1, include: Include.Documents | Include.Metadatas);
        string json = JsonSerializer.Serialize(hits, StoreJsonContext.Default.IReadOnlyListQueryHit);
        Assert.Equal("""[{"id":"a","distance":"NaN","embedding":null,"document":"doc","metadata":{"b":true,"f":0.5,"k":1,"s":"x"}}]""", json);
        string recovery = JsonSerializer.Serialize(c.Recovery, StoreJsonContext.Default.RecoveryInfo);
        Assert.Contains("\"damagedCheckpoints\":[]", recovery);
        var options = JsonSerializer.Deserialize(JsonSerializer.Serialize(c.Options, StoreJsonContext.Default.CollectionOptions), StoreJsonContext.Default.CollectionOptions);
        Assert.Equal(c.Options, options);
        Assert.Equal(1, c.Delete(["a", "missing"]));
    }
}

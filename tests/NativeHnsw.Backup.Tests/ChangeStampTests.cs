using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// <see cref="PersistentClient.ReadChangeStamp"/>, which a scheduler uses to skip backing up an unchanged store: it
/// changes with every kind of committed change, including those that write no record, and only then. (Creating an
/// empty collection and dropping it again gives the stamp of before: the content is the same.)
/// </summary>
public sealed class ChangeStampTests
{
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void ReadChangeStamp_ChangesWithEveryKindOfChange_AndOnlyThen()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store");
        using var client = new PersistentClient(store, s_quiet);
        var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
        TestStores.Fill(docs, 10, seed: 1);
        var seen = new List<string> { PersistentClient.ReadChangeStamp(store) };
        void Changed(string what)
        {
            string now = PersistentClient.ReadChangeStamp(store);
            Assert.False(seen.Contains(now), $"{what}: the stamp {now} was seen before");
            Assert.Equal(now, PersistentClient.ReadChangeStamp(store));
            seen.Add(now);
        }

        // Read beside the writer that holds the store open; nothing changed, nothing differs.
        Assert.Equal(seen[0], PersistentClient.ReadChangeStamp(store));
        client.Checkpoint();
        Assert.Equal(seen[0], PersistentClient.ReadChangeStamp(store));
        docs.Add("new", [1, 2, 3, 4]);
        Changed("record added");
        docs.Upsert("new", [4, 3, 2, 1]);
        Changed("record changed");
        docs.Delete(["r3"]);
        Changed("record deleted");
        docs.Modify(metadata: new Dictionary<string, object?> { ["owner"] = "ops" });
        Changed("metadata only");
        docs.Modify(name: "papers");
        Changed("renamed");
        var extra = client.CreateCollection("extra", new CollectionOptions { Dimensions = 2 });
        Changed("empty collection created");
        extra.Add("x", [1, 2]);
        Changed("record added to it");
        client.DeleteCollection("extra");
        Changed("collection dropped");
    }

    [Fact]
    public void ReadChangeStamp_NotAStore_NamesTheFolder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("plain"));

        var e = Assert.Throws<StoreException>(() => PersistentClient.ReadChangeStamp(dir.File("plain")));

        Assert.Contains(dir.File("plain"), e.Message, StringComparison.Ordinal);
    }
}

using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// <see cref="PersistentClient.OpenReadView"/>: the store's content read in place in one read transaction. It reads
/// exactly what a snapshot copied at the same moment holds, sees nothing committed after it opened, and never holds
/// the writer up.
/// </summary>
public sealed class ReadViewTests
{
    private static readonly CollectionOptions s_l2 = new() { Dimensions = 8, Metric = DistanceMetric.L2, M = 8, EfConstruction = 32 };

    private static readonly StoreOptions s_options = new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 20, Interval = null },
        Log = _ => { },
    };

    /// <summary>A store with two collections, documents, record and collection metadata, and a deleted record.</summary>
    private static (PersistentClient Writer, Collection Docs) Live(string store, float[] data)
    {
        var writer = new PersistentClient(store, s_options);
        var docs = writer.CreateCollection("docs", s_l2, new Dictionary<string, object?> { ["owner"] = "team", ["version"] = 3L });
        for (int i = 0; i < 40; i++)
            docs.Add($"r{i}", Datasets.Row(data, 8, i).ToArray(), $"doc {i}", new Dictionary<string, object?> { ["i"] = (long)i, ["even"] = i % 2 == 0 });
        docs.Delete(["r3"]);
        var other = writer.CreateCollection("other", s_l2 with { Metric = DistanceMetric.Cosine });
        other.Add("o1", Datasets.Row(data, 8, 50).ToArray());
        return (writer, docs);
    }

    /// <summary>Everything a backup reads of some content, as comparable text.</summary>
    private static List<string> Describe(IStoreContent content)
    {
        var lines = new List<string> { $"sequence {content.Sequence}" };
        foreach (var c in content.Collections)
        {
            var meta = content.ReadCollectionMetadata(c);
            lines.Add($"collection {c.Name} id {c.Id} {c.Options} records {c.Records} samples {c.SampleIds.Count} meta "
                + (meta is null ? "none" : string.Join(",", meta.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))));
            foreach (var r in content.ReadRecords(c))
            {
                lines.Add($"  {r.Id} [{string.Join(",", r.Embedding!)}] {r.Document ?? "-"} "
                    + (r.Metadata is null ? "none" : string.Join(",", r.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))));
            }
        }
        return lines;
    }

    [Fact]
    public void OpenReadView_WriterClient_ReadsWhatASnapshotHolds_AndNothingCommittedAfterItOpened()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(80, 8, seed: 21);
        var (writer, docs) = Live(folder.Combine("store"), data);
        using (writer)
        {
            var snapshot = writer.CreateSnapshot(folder.Combine("snap"));
            using var view = writer.OpenReadView();
            Assert.Equal(Describe(snapshot), Describe(view));
            Assert.Equal(39, view.Collections.Single(c => c.Name == "docs").Records);
            Assert.All(view.Collections, c => Assert.Null(c.CheckpointFile));

            // The writer goes on while the view is open (WAL); the view still reads the store as of its open.
            docs.Add("late", Datasets.Row(data, 8, 60).ToArray(), "late");
            docs.Delete(["r0", "r1"]);
            writer.CreateCollection("third", s_l2);
            Assert.Equal(Describe(snapshot), Describe(view));

            view.Dispose();
            Assert.Throws<ObjectDisposedException>(() => view.ReadRecords(view.Collections[0]));
            using var after = writer.OpenReadView();
            Assert.True(after.Sequence > snapshot.Sequence);
            Assert.Equal(["docs", "other", "third"], after.Collections.Select(c => c.Name));
            var ids = after.ReadRecords(after.Collections[0]).Select(r => r.Id).ToList();
            Assert.Contains("late", ids);
            Assert.DoesNotContain("r0", ids);
        }
    }

    [Fact]
    public void OpenReadView_ReadOnlyClient_ReadsTheStoreFileAsItIsNow_NotTheClientsCopy()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(80, 8, seed: 22);
        string store = folder.Combine("store");
        var (writer, docs) = Live(store, data);
        using (writer)
        {
            using var reader = PersistentClient.OpenReadOnly(store, s_options);
            docs.Add("after-open", Datasets.Row(data, 8, 61).ToArray());
            Assert.Equal(39, reader.GetCollection("docs").Count());

            var snapshot = writer.CreateSnapshot(folder.Combine("snap"));
            using var view = reader.OpenReadView();
            Assert.Equal(Describe(snapshot), Describe(view));
            Assert.Contains("after-open", view.ReadRecords(view.Collections[0]).Select(r => r.Id));

            docs.Add("after-view", Datasets.Row(data, 8, 62).ToArray());
            Assert.Equal(Describe(snapshot), Describe(view));
        }
    }

    [Fact]
    public void OpenForSnapshot_ItsViewIsFixedAtTheFirstRead_NotAtTheOpen()
    {
        using var folder = new TempDirectory();
        var data = Datasets.Gaussian(80, 8, seed: 23);
        string store = folder.Combine("store");
        var (writer, docs) = Live(store, data);
        using (writer)
        {
            // No in-memory copy at the open: what is committed before the first read is what the client reads.
            using var light = PersistentClient.OpenForSnapshot(store, s_options);
            docs.Add("before-first-read", Datasets.Row(data, 8, 63).ToArray());
            var c = light.GetCollection("docs");
            Assert.Equal(40, c.Count());
            Assert.Single(c.Get(["before-first-read"]));
            docs.Add("after-first-read", Datasets.Row(data, 8, 64).ToArray());
            Assert.Empty(c.Get(["after-first-read"]));
            Assert.Equal(40, light.GetCollection("docs").Count());
        }
    }
}

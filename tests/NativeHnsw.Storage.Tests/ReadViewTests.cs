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

    /// <summary>
    /// A live store in a fresh folder, its writer open: two collections, documents, record and collection metadata, and a
    /// deleted record (39 records left in "docs").
    /// </summary>
    private sealed class LiveStore : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public LiveStore(int seed)
        {
            Data = Datasets.Gaussian(80, 8, seed);
            Writer = new PersistentClient(Store, s_options);
            Docs = Writer.CreateCollection("docs", s_l2, new Dictionary<string, object?> { ["owner"] = "team", ["version"] = 3L });
            for (int i = 0; i < 40; i++)
                Docs.Add($"r{i}", Row(i), $"doc {i}", new Dictionary<string, object?> { ["i"] = (long)i, ["even"] = i % 2 == 0 });
            Docs.Delete(["r3"]);
            Writer.CreateCollection("other", s_l2 with { Metric = DistanceMetric.Cosine }).Add("o1", Row(50));
        }

        public float[] Data { get; }

        public string Store => _folder.Combine("store");

        public PersistentClient Writer { get; }

        public Collection Docs { get; }

        public float[] Row(int i) => Datasets.Row(Data, 8, i).ToArray();

        public StoreSnapshot Snapshot() => Writer.CreateSnapshot(_folder.Combine("snap-" + Guid.NewGuid().ToString("N")));

        public void Dispose()
        {
            Writer.Dispose();
            _folder.Dispose();
        }
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
        using var live = new LiveStore(seed: 21);
        var snapshot = live.Snapshot();
        using var view = live.Writer.OpenReadView();
        Assert.Equal(Describe(snapshot), Describe(view));
        Assert.Equal(39, view.Collections.Single(c => c.Name == "docs").Records);
        Assert.All(view.Collections, c => Assert.Null(c.CheckpointFile));

        // The writer goes on while the view is open (WAL); the view still reads the store as of its open.
        live.Docs.Add("late", live.Row(60), "late");
        live.Docs.Delete(["r0", "r1"]);
        live.Writer.CreateCollection("third", s_l2);
        Assert.Equal(Describe(snapshot), Describe(view));

        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.ReadRecords(view.Collections[0]));
        using var after = live.Writer.OpenReadView();
        Assert.True(after.Sequence > snapshot.Sequence);
        Assert.Equal(["docs", "other", "third"], after.Collections.Select(c => c.Name));
        var ids = after.ReadRecords(after.Collections[0]).Select(r => r.Id).ToList();
        Assert.Contains("late", ids);
        Assert.DoesNotContain("r0", ids);
    }

    [Fact]
    public void OpenReadView_ReadOnlyClient_ReadsTheStoreFileAsItIsNow_NotTheClientsCopy()
    {
        using var live = new LiveStore(seed: 22);
        using var reader = PersistentClient.OpenReadOnly(live.Store, s_options);
        live.Docs.Add("after-open", live.Row(61));
        Assert.Equal(39, reader.GetCollection("docs").Count());

        var snapshot = live.Snapshot();
        using var view = reader.OpenReadView();
        Assert.Equal(Describe(snapshot), Describe(view));
        Assert.Contains("after-open", view.ReadRecords(view.Collections[0]).Select(r => r.Id));

        live.Docs.Add("after-view", live.Row(62));
        Assert.Equal(Describe(snapshot), Describe(view));
    }

    [Fact]
    public void OpenForSnapshot_ItsViewIsFixedAtTheFirstRead_NotAtTheOpen()
    {
        using var live = new LiveStore(seed: 23);
        // No in-memory copy at the open: what is committed before the first read is what the client reads.
        using var light = PersistentClient.OpenForSnapshot(live.Store, s_options);
        live.Docs.Add("before-first-read", live.Row(63));
        var c = light.GetCollection("docs");
        Assert.Equal(40, c.Count());
        Assert.Single(c.Get(["before-first-read"]));
        live.Docs.Add("after-first-read", live.Row(64));
        Assert.Empty(c.Get(["after-first-read"]));
        Assert.Equal(40, light.GetCollection("docs").Count());
    }
}

using NativeHnsw.Backup;
using NativeHnsw.Samples.Rag;
using NativeHnsw.Storage;

namespace NativeHnsw.Embeddings.Tests;

/// <summary>The RAG sample end to end on a few files: ingest, ask, re-ingest after edits, one backup.</summary>
public sealed class RagSampleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = RagApp.Run(args, TextReader.Null, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Notes()
    {
        string notes = _dir.File("notes");
        Directory.CreateDirectory(Path.Combine(notes, "ops"));
        File.WriteAllText(Path.Combine(notes, "garden.md"), """
            # Garden

            Tomatoes need full sun and deep watering twice a week.

            ## Pests

            Aphids on roses can be washed off with a strong jet of water.
            """);
        File.WriteAllText(Path.Combine(notes, "ops", "backups.txt"), "Restore a backup into a scratch folder every month to prove it works.\n\nKeep daily backups for a week.");
        File.WriteAllText(Path.Combine(notes, "ignored.json"), "{\"not\": \"ingested\"}");
        return notes;
    }

    [Fact]
    public void IngestAskReingest_KeepsTheStoreInStepWithTheFolder()
    {
        string notes = Notes();
        string store = _dir.File("store");
        string backups = _dir.File("backups");

        var ingest = Run("ingest", store, notes, "--backup", backups);
        Assert.True(ingest.Code == 0, ingest.Err);
        Assert.Contains("ingested 2 file(s): 2 new or changed (3 chunks embedded)", ingest.Out, StringComparison.Ordinal);
        Assert.Single(new LocalFolderTarget(backups).ListIds());

        var ask = Run("ask", store, "How do I get rid of aphids?", "--k", "2");
        Assert.True(ask.Code == 0, ask.Err);
        Assert.Contains("[1] garden.md#1 — Pests", ask.Out, StringComparison.Ordinal);
        Assert.Contains("strong jet of water", ask.Out, StringComparison.Ordinal);
        Assert.Contains("Sources: garden.md", ask.Out, StringComparison.Ordinal);

        var restore = Run("ask", store, "how often should I test restoring backups", "--k", "1");
        Assert.Contains("[1] ops/backups.txt#0", restore.Out, StringComparison.Ordinal);

        // Unchanged files are not embedded again.
        var again = Run("ingest", store, notes);
        Assert.Contains("0 new or changed (0 chunks embedded), 2 unchanged, 0 stale", again.Out, StringComparison.Ordinal);

        // A file that shrinks loses its extra chunks; a deleted file loses all of them.
        File.WriteAllText(Path.Combine(notes, "garden.md"), "Tomatoes need full sun.");
        File.Delete(Path.Combine(notes, "ops", "backups.txt"));
        var edited = Run("ingest", store, notes);
        Assert.Contains("1 new or changed (1 chunks embedded), 0 unchanged, 2 stale chunk(s) removed; 1 chunks", edited.Out, StringComparison.Ordinal);
        using var client = new PersistentClient(store);
        var left = client.GetCollection(RagApp.DefaultCollection).Get();
        Assert.Equal("garden.md#0", Assert.Single(left).Id);
        Assert.Equal("garden.md", left[0].Metadata!["source"]);
    }

    [Fact]
    public void Ask_OverACollectionWithoutSourceMetadata_LabelsHitsByTheirIds()
    {
        string store = _dir.File("store");
        using (var client = new PersistentClient(store))
        using (var embedder = new MiniLmEmbeddingGenerator())
        {
            var docs = client.CreateCollection(RagApp.DefaultCollection, embedder);
            docs.Add(["plain"], documents: ["Penguins live in the southern hemisphere."]);
        }
        var ask = Run("ask", store, "where do penguins live", "--k", "1");
        Assert.True(ask.Code == 0, ask.Err);
        Assert.Contains("[1] plain  (distance", ask.Out, StringComparison.Ordinal);
        Assert.Contains("Sources: plain", ask.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Ask_OverAnotherModelsVectors_IsRefusedNamingBoth()
    {
        string store = _dir.File("store");
        using (var client = new PersistentClient(store))
            client.CreateCollection(RagApp.DefaultCollection, new CollectionOptions { Dimensions = MiniLmEmbeddingGenerator.Dimensions }).Add("x", new float[MiniLmEmbeddingGenerator.Dimensions].Select((_, i) => i == 0 ? 1f : 0f).ToArray());
        var ask = Run("ask", store, "anything", "--k", "1");
        Assert.Equal(1, ask.Code);
        Assert.Contains("no embedding generator", ask.Err, StringComparison.Ordinal);
        Assert.Contains(MiniLmEmbeddingGenerator.ModelId, ask.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void BadArguments_ExitNonZeroWithAMessage()
    {
        Assert.Equal(2, Run("frobnicate").Code);
        var missing = Run("ingest", _dir.File("store"), _dir.File("no-such-folder"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("no such folder", missing.Err, StringComparison.Ordinal);
        Assert.Equal(1, Run("ask", _dir.File("store"), "q", "--bogus", "1").Code);
        Assert.Equal(1, Run("ask", _dir.File("store"), "q", "--k", "0").Code);
        var noBackup = Run("serve", _dir.File("store"), Notes());
        Assert.Equal(1, noBackup.Code);
        Assert.Contains("--backup", noBackup.Err, StringComparison.Ordinal);
        var badCron = Run("serve", _dir.File("store"), Notes(), "--backup", _dir.File("backups"), "--incremental-cron", "every minute");
        Assert.Equal(1, badCron.Code);
        Assert.Contains("jobs[0].cron", badCron.Err, StringComparison.Ordinal);
    }
}

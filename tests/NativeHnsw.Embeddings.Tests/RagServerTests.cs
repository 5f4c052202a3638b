using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using NativeHnsw.Samples.Rag;
using NativeHnsw.Storage;

namespace NativeHnsw.Embeddings.Tests;

/// <summary>
/// The sample's <c>serve</c> mode: the backup policy runs in the sample's own process, on a fake clock, while the
/// sample answers questions and ingests; the backups it takes are real ones that restore to what the sample holds.
/// </summary>
public sealed class RagServerTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 10, 2, 30, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<T> Next<T>(Channel<T> channel) => await channel.Reader.ReadAsync(Ct).AsTask().WaitAsync(s_bound, Ct);

    [Fact]
    public async Task Serve_OnAFakeClock_TakesIncrementalBackupsWhileAnswering()
    {
        string notes = _dir.File("notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "garden.md"), "# Garden\n\nTomatoes need full sun.\n\n## Pests\n\nAphids on roses can be washed off with a strong jet of water.");
        string store = _dir.File("store");
        string backups = _dir.File("backups");
        var time = new FakeTimeProvider(s_start);
        var output = new StringWriter();
        using var server = new RagServer(store, RagApp.DefaultCollection, backups, new RagBackupSchedule(), time, output);
        var idle = Channel.CreateUnbounded<DateTimeOffset?>();
        var completed = Channel.CreateUnbounded<(JobPolicy Job, JobRunResult Result)>();
        server.Scheduler.Idle += at => idle.Writer.TryWrite(at);
        server.Scheduler.JobCompleted += (job, result) => completed.Writer.TryWrite((job, result));
        server.Ingest(notes);
        await server.StartAsync(Ct);

        // The first slot of the five-minute incremental job; nothing is written before it.
        var due = await Next(idle);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 5, 0, TimeSpan.Zero), due);
        var target = new LocalFolderTarget(backups);
        Assert.Empty(BackupCatalog.Load(target).Backups);
        time.Advance(due!.Value - time.GetUtcNow());
        var first = await Next(completed);
        Assert.Equal("incremental", first.Job.Name);
        Assert.True(first.Result.Outcome == JobOutcome.Succeeded, first.Result.Message);
        var full = Assert.Single(BackupCatalog.Load(target).Backups);
        Assert.Equal(BackupKind.Full, full.Kind);
        Assert.Equal(due.Value, full.CreatedUtc);
        Assert.Contains($"[backup] incremental: {full.Id} (no backup of 'rag-store' in 'local' to chain to", output.ToString(), StringComparison.Ordinal);

        // The sample keeps serving beside its scheduler: it answers and ingests, and the next slot chains on the first.
        server.Ask("How do I get rid of aphids?", 1);
        Assert.Contains("[1] garden.md#1 — Pests", output.ToString(), StringComparison.Ordinal);
        // The `ask` command, as another process runs it, reads beside the serving client, which holds the store's lock.
        var beside = new StringWriter();
        var errors = new StringWriter();
        Assert.True(RagApp.Run(["ask", store, "aphids on my roses", "--k", "1"], TextReader.Null, beside, errors) == 0, errors.ToString());
        Assert.Contains("[1] garden.md#1 — Pests", beside.ToString(), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(notes, "bikes.txt"), "Oil the bicycle chain when it squeaks.");
        server.Ingest(notes);
        due = await Next(idle);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 10, 0, TimeSpan.Zero), due);
        time.Advance(due!.Value - time.GetUtcNow());
        var second = await Next(completed);
        Assert.True(second.Result.Outcome == JobOutcome.Succeeded, second.Result.Message);
        var catalog = BackupCatalog.Load(target);
        Assert.Equal(2, catalog.Backups.Count);
        var incremental = catalog.Backups.Single(b => b.Id != full.Id);
        Assert.Equal(BackupKind.Incremental, incremental.Kind);
        Assert.Equal(full.Id, incremental.Parent);

        // The chain restores to exactly what the serving collection holds, embedding identity included.
        string restored = _dir.File("restored");
        StoreRestore.Restore(target, BackupSelector.Latest, restored);
        using var client = new PersistentClient(restored);
        var copy = client.GetCollection(RagApp.DefaultCollection);
        Assert.Equal(server.Collection.Count(), copy.Count());
        Assert.Equal(server.Collection.EmbeddingIdentity, copy.EmbeddingIdentity);
        Assert.Equal(
            server.Collection.Get(include: Include.Documents).Select(r => (r.Id, r.Document)).Order(),
            copy.Get(include: Include.Documents).Select(r => (r.Id, r.Document)).Order());
        await server.StopAsync(Ct);
    }

    [Fact]
    public void ServeCommand_IngestsAnswersEachLineAndStopsAtAnEmptyLine()
    {
        string notes = _dir.File("notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "bikes.txt"), "Oil the bicycle chain when it squeaks.\n\nPump the tyres before a long ride.");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var input = new StringReader("my chain is noisy\n\nnot asked: after the empty line\n");
        int code = RagApp.Run(["serve", _dir.File("store"), notes, "--backup", _dir.File("backups"), "--k", "1"], input, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string text = stdout.ToString();
        Assert.Contains("ingested 1 file(s)", text, StringComparison.Ordinal);
        Assert.Contains("incremental '*/5 * * * *'", text, StringComparison.Ordinal);
        Assert.Contains("Q: my chain is noisy", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not asked", text, StringComparison.Ordinal);
        Assert.Contains("stopping", text, StringComparison.Ordinal);
    }
}

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NativeHnsw.Backup.Hosting;
using NativeHnsw.Embeddings;
using NativeHnsw.Storage;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// The sample as a service: one writable client of the store, its collection created with the local embedding
/// generator, and the backup scheduler of NativeHnsw.Backup.Hosting running <see cref="RagBackupSchedule"/> in the same
/// process, on a generic host. Each backup job that ends is reported as a line on the output, between answers.
/// Backups read the store beside this client (its lock is held here), while questions are answered and files ingested.
/// </summary>
public sealed class RagServer : IDisposable
{
    private readonly MiniLmEmbeddingGenerator _embedder;
    private readonly PersistentClient _client;
    private readonly IHost _host;
    private readonly TextWriter _output;
    private bool _started;

    /// <param name="store">The store folder (created when absent); this client holds its lock.</param>
    /// <param name="collection">The collection, created with the embedding generator when absent.</param>
    /// <param name="backups">The local folder the policy's backups go to.</param>
    /// <param name="schedule">When backups are taken and pruned.</param>
    /// <param name="time">The clock of the scheduler and of the backups' timestamps (a fake one in tests).</param>
    /// <param name="output">Where answers, ingest summaries and backup lines are written.</param>
    /// <exception cref="PolicyException">A bad cron expression in <paramref name="schedule"/>.</exception>
    /// <exception cref="StoreException">The store cannot be opened, or its collection holds another model's embeddings.</exception>
    public RagServer(string store, string collection, string backups, RagBackupSchedule schedule, TimeProvider time, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(output);
        var policy = schedule.Policy(store, backups);
        _output = TextWriter.Synchronized(output);
        BackupFolder = Path.GetFullPath(backups);
        _embedder = new MiniLmEmbeddingGenerator();
        try
        {
            _client = new PersistentClient(store);
            Collection = _client.GetOrCreateCollection(collection, _embedder);
            // No default logging providers: the sample prints its own lines, so answers are not buried in logs.
            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddSingleton(time);
            builder.Services.AddNativeHnswBackups(options =>
            {
                options.Policy = policy;
                options.StateFile = BackupFolder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + ".scheduler-state.json";
            });
            _host = builder.Build();
            Scheduler = _host.Services.GetRequiredService<BackupSchedulerService>();
            Scheduler.JobCompleted += Report;
        }
        catch
        {
            _client?.Dispose();
            _embedder.Dispose();
            throw;
        }
    }

    /// <summary>The generator-backed collection: it embeds documents and questions itself.</summary>
    public Collection Collection { get; }

    /// <summary>The in-process scheduler (its <c>Idle</c> and <c>JobCompleted</c> events let a test drive a fake clock).</summary>
    public BackupSchedulerService Scheduler { get; }

    public string BackupFolder { get; }

    /// <summary>Starts the backup scheduler; jobs run at their next slots.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        return _host.StartAsync(cancellationToken);
    }

    public void Ingest(string folder) => RagCollection.Ingest(Collection, folder, _output);

    public void Ask(string question, int k) => RagCollection.Ask(Collection, question, k, _output);

    /// <summary>Stops the scheduler (a running job is asked to stop between steps; nothing partial is published), then closes the store.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            _started = false;
            await _host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _client.Dispose();
        _embedder.Dispose();
    }

    private void Report(JobPolicy job, JobRunResult result)
    {
        foreach (var e in result.Events)
        {
            string line = e.Kind switch
            {
                JobEventKind.BackupMade => string.Create(CultureInfo.InvariantCulture, $"[backup] {job.Name}: {e.BackupId} ({e.Message}, {e.Bytes:N0} bytes) → {BackupFolder}"),
                JobEventKind.Removed => $"[backup] {job.Name}: removed {e.BackupId} ({e.Message})",
                JobEventKind.BackupFailed => $"[backup] {job.Name} failed: {e.Message}",
                _ => "",
            };
            if (line.Length > 0)
                _output.WriteLine(line);
        }
        if (result.Events.Count == 0 && result.Outcome is JobOutcome.Failed or JobOutcome.Aborted)
            _output.WriteLine($"[backup] {job.Name} {result.Outcome.ToString().ToLowerInvariant()}: {result.Message}");
    }
}

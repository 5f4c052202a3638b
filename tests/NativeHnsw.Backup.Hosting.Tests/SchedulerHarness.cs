using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// One scheduler on a fake clock. Tests wait for the loop to go idle (it has armed its timer) before moving the clock,
/// so no step depends on real time; the 30 s bound on each wait only turns a hang into a failure.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private readonly Channel<DateTimeOffset?> _idle = Channel.CreateUnbounded<DateTimeOffset?>();
    private readonly Channel<(JobPolicy Job, JobRunResult Result)> _done = Channel.CreateUnbounded<(JobPolicy, JobRunResult)>();
    private bool _stopped;

    public SchedulerHarness(BackupPolicy policy, FakeTimeProvider time, ScriptedExecutor executor, string stateFile, string? runner = null, TimeSpan? lease = null, ILogger<BackupSchedulerService>? logger = null)
    {
        Time = time;
        Executor = executor;
        Metrics = new BackupMetrics();
        var options = new BackupSchedulerOptions { Policy = policy, StateFile = stateFile, RunnerName = runner, LeaseDuration = lease ?? TimeSpan.FromMinutes(5) };
        Service = new BackupSchedulerService(options, executor, Metrics, time, logger ?? NullLogger<BackupSchedulerService>.Instance);
        Service.Idle += at => _idle.Writer.TryWrite(at);
        Service.JobCompleted += (job, result) => _done.Writer.TryWrite((job, result));
    }

    public FakeTimeProvider Time { get; }

    public ScriptedExecutor Executor { get; }

    public BackupMetrics Metrics { get; }

    public BackupSchedulerService Service { get; }

    public Task StartAsync() => Service.StartAsync(CancellationToken.None);

    /// <summary>Waits until the loop sleeps; returns when it next wakes.</summary>
    public async Task<DateTimeOffset?> IdleAsync() => await _idle.Reader.ReadAsync().AsTask().WaitAsync(s_bound);

    public async Task<(JobPolicy Job, JobRunResult Result)> CompletedAsync() => await _done.Reader.ReadAsync().AsTask().WaitAsync(s_bound);

    /// <summary>Sets the clock to <paramref name="instant"/> (forward only).</summary>
    public void AdvanceTo(DateTimeOffset instant) => Time.Advance(instant - Time.GetUtcNow());

    public int CompletedSoFar => _done.Reader.Count;

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await Service.StopAsync(CancellationToken.None).WaitAsync(s_bound);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Service.Dispose();
        Metrics.Dispose();
    }

    public static BackupPolicy Policy(string targetFolder, params JobPolicy[] jobs) => new()
    {
        Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = "/data/docs.hnsw", Target = "hot" }],
        Targets = [new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = targetFolder, Tier = "hot" }],
        Jobs = jobs,
    };
}

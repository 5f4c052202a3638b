using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// A runner's start sweeps an object store's uploads left by a writer whose lease is over (its process killed midway
/// through a backup: the upload and its record stay), under the target's lease; an upload under no lease is kept. On
/// moto, which honours conditional writes (a lease is possible); on s3rver, which does not, nothing is swept at start.
/// </summary>
public sealed class S3StartSweepTests(MotoServerFixture moto, NativeHnsw.Backup.Tests.S3rverFixture s3rver) : IClassFixture<MotoServerFixture>, IClassFixture<NativeHnsw.Backup.Tests.S3rverFixture>, IDisposable
{
    private const string KeyVariable = "NHNSW_HOSTING_TESTS_S3_SWEEP_KEY";
    private const string Killed = "20260310T120000000Z-00000a";
    private const string Unleased = "20260310T120000000Z-00000b";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Restart_AfterAKilledLeaseHolder_SweepsItsUpload_KeepsAnUnleasedOne()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        string prefix = "sweep-" + Guid.NewGuid().ToString("N");
        using var target = moto.Target(prefix);
        var dead = ObjectLease.Open(target, "killed-runner", TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger.Instance)!;
        Assert.True(dead.TryAcquire(out _));
        var killed = Stage(target, Killed, dead);
        using var unleased = target.Begin(Unleased);
        unleased.Write("a.bin", "data", new MemoryStream([4]));
        var logger = new LineLogger<BackupSchedulerService>();

        await RunStartAsync(Policy(moto.Endpoint, MotoServerFixture.Bucket, prefix, "moto"), logger);

        Assert.Equal([Unleased], target.ListPartialIds());
        Assert.Empty(target.ListSidecars("writers/"));
        Assert.Contains(logger.Lines, l => l.Contains("held by killed-runner", StringComparison.Ordinal) && l.Contains("taken over", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Contains("removed 1 leftover(s) of writers killed midway: " + Killed, StringComparison.Ordinal));
        killed.Dispose();
    }

    [Fact]
    public async Task Restart_OnAServerWithoutLeases_SweepsNothing()
    {
        Assert.SkipWhen(s3rver.SkipReason is not null, s3rver.SkipReason ?? "");
        string prefix = "sweep-" + Guid.NewGuid().ToString("N");
        using var target = s3rver.Target(prefix);
        // A writer that recorded a lease there (one taken elsewhere, say): with no lease on this store, no runner can
        // know that lease over.
        IBackupWriter killed;
        using (WriterLease.Enter("lease-elsewhere", [target.Description]))
        {
            killed = target.Begin(Killed);
            killed.Write("a.bin", "data", new MemoryStream([1, 2, 3]));
        }

        await RunStartAsync(Policy(s3rver.Endpoint, NativeHnsw.Backup.Tests.S3rverFixture.Bucket, prefix, "S3RVER"), new LineLogger<BackupSchedulerService>());

        Assert.Equal([Killed], target.ListPartialIds());
        killed.Dispose();
    }

    /// <summary>A writer under <paramref name="lease"/> that uploads one file and is never committed or disposed: a process killed midway.</summary>
    private static IBackupWriter Stage(S3Target target, string id, ObjectLease lease)
    {
        using var scope = WriterLease.Enter(lease.LeaseId, [lease.Target]);
        var writer = target.Begin(id);
        writer.Write("a.bin", "data", new MemoryStream([1, 2, 3]));
        Assert.Contains("writers/" + id, target.ListSidecars("writers/"));
        return writer;
    }

    /// <summary>A policy of one S3 target; <paramref name="key"/> is the server's access key, also its secret.</summary>
    private static BackupPolicy Policy(Uri endpoint, string bucket, string prefix, string key)
    {
        Environment.SetEnvironmentVariable(KeyVariable, key);
        return new BackupPolicy
        {
            Sources = [new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = "/data/docs.hnsw", Target = "cold" }],
            Targets =
            [
                new TargetPolicy
                {
                    Name = "cold", Type = TargetType.S3, Tier = "cold", Bucket = bucket, Prefix = prefix, Endpoint = endpoint,
                    AccessKeyVariable = KeyVariable, SecretKeyVariable = KeyVariable,
                },
            ],
            Jobs = [new JobPolicy { Name = "nightly", Type = JobType.Snapshot, Cron = "0 2 * * *" }],
        };
    }

    /// <summary>Starts the scheduler (its clock an hour past the dead writer's lease) with the real executor's sweep, waits until it idles, stops it.</summary>
    private async Task RunStartAsync(BackupPolicy policy, LineLogger<BackupSchedulerService> logger)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        using var real = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);
        var executor = new ScriptedExecutor { Sweeper = real };
        await using var h = new SchedulerHarness(policy, time, executor, _dir.File("state.json"), logger: logger);
        await h.StartAsync();
        await h.IdleAsync();
        await h.StopAsync();
        Assert.Empty(executor.Runs);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Offsite copies, scrubs, tier moves and drills with an S3-compatible target: s3rver on loopback.</summary>
public sealed class S3OffsiteTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    // The policy names environment variables, never keys; s3rver's key and secret are both S3RVER.
    private const string KeyVariable = "NHNSW_HOSTING_TESTS_S3_KEY";

    [Fact]
    public void OffsiteToS3_CopiesVerified_ScrubsClean_TiersMove_AndDrillsFromS3()
    {
        Assert.SkipWhen(s3.SkipReason is not null, s3.SkipReason ?? "");
        Environment.SetEnvironmentVariable(KeyVariable, "S3RVER");
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var executor = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);
        TestSources.AddToStore(dir.File("store"), 0, 30);
        var policy = new BackupPolicy
        {
            Sources =
            [
                new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(dir.File("docs.hnsw")), Target = "hot" },
                new SourcePolicy { Name = "chat", Type = SourceType.Store, Path = dir.File("store"), Target = "hot" },
            ],
            Targets =
            [
                new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = dir.File("hot"), Tier = "hot" },
                new TargetPolicy
                {
                    Name = "s3", Type = TargetType.S3, Tier = "cold", Bucket = S3rverFixture.Bucket, Prefix = "hosting-" + Guid.NewGuid().ToString("N"),
                    Endpoint = s3.Endpoint, AccessKeyVariable = KeyVariable, SecretKeyVariable = KeyVariable,
                },
            ],
            Tiers = [new TierRule { Tier = "hot", ToDays = 7 }, new TierRule { Tier = "cold", FromDays = 7 }],
            Offsite = new OffsiteSettings { Target = "s3" },
            Drill = new DrillSettings { ScratchFolder = dir.File("scratch") },
        };
        policy.Validate();
        JobRunResult Run(JobType type) => executor.Run(policy, new JobPolicy { Name = "j", Type = type, Cron = "0 * * * *" }, CancellationToken.None);

        Assert.Equal(JobOutcome.Succeeded, Run(JobType.Snapshot).Outcome);
        TestSources.AddToStore(dir.File("store"), 30, 3);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(JobOutcome.Succeeded, Run(JobType.Incremental).Outcome);
        var copied = Run(JobType.Offsite);
        Assert.Equal(JobOutcome.Succeeded, copied.Outcome);
        Assert.Equal(3, copied.Events.Count(e => e.Kind == JobEventKind.BackupMade && e.Target == "s3"));
        Assert.All(Run(JobType.Scrub).Events, e => Assert.Equal(0, e.Failures));

        time.Advance(TimeSpan.FromDays(8));
        var moved = Run(JobType.Tiers);
        Assert.Equal(JobOutcome.Succeeded, moved.Outcome);
        Assert.Empty(BackupCatalog.Load(new LocalFolderTarget(dir.File("hot"))).Backups);
        var drill = Run(JobType.Drill);
        Assert.Equal(JobOutcome.Succeeded, drill.Outcome);
        Assert.All(drill.Events, e => Assert.Equal("s3", e.Target));
    }
}

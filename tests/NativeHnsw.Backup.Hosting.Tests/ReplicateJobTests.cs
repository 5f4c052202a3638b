using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>The replicate job: each run ships a store source's new commits to its target; the target then restores to the last one.</summary>
public sealed class ReplicateJobTests
{
    [Fact]
    public void Replicate_EachRunShipsTheNewCommits_AndTheTargetRestoresToTheLast()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var executor = new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance);
        TestSources.AddToStore(dir.File("store"), 0, 10);
        var policy = new BackupPolicy
        {
            Sources =
            [
                new SourcePolicy { Name = "docs", Type = SourceType.Index, Path = TestSources.SaveIndex(dir.File("docs.hnsw")), Target = "hot" },
                new SourcePolicy { Name = "chat", Type = SourceType.Store, Path = dir.File("store"), Target = "hot" },
            ],
            Targets = [new TargetPolicy { Name = "hot", Type = TargetType.Local, Path = dir.File("hot"), Tier = "hot" }],
        };
        policy.Validate();
        var job = new JobPolicy { Name = "replicate", Type = JobType.Replicate, Cron = "* * * * * *" };

        var first = executor.Run(policy, job, CancellationToken.None);
        Assert.Equal(JobOutcome.Succeeded, first.Outcome);
        Assert.Equal(JobEventKind.Skipped, first.Events.Single(e => e.Source == "docs").Kind);
        Assert.Contains("base snapshot", first.Events.Single(e => e.Source == "chat").Message, StringComparison.Ordinal);

        TestSources.AddToStore(dir.File("store"), 10, 5);
        var second = executor.Run(policy, job, CancellationToken.None);
        var shipped = second.Events.Single(e => e.Source == "chat");
        Assert.Equal(JobEventKind.BackupMade, shipped.Kind);
        Assert.StartsWith("shipped 5 commit(s)", shipped.Message, StringComparison.Ordinal);
        Assert.Equal(JobEventKind.Skipped, executor.Run(policy, job, CancellationToken.None).Events.Single(e => e.Source == "chat").Kind);

        var target = new LocalFolderTarget(dir.File("hot"));
        var last = SegmentStore.For(target).List()[^1];
        PointInTimeRestore.Restore(target, PointInTime.Commit(last.LastSequence), dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"));
        using var live = new PersistentClient(dir.File("store"));
        Assert.Equal(live.GetCollection(live.ListCollections()[0]).Count(), restored.GetCollection(live.ListCollections()[0]).Count());
    }
}

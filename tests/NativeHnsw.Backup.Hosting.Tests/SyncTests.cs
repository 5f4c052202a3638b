using System.Text.Json;
using NativeHnsw.Backup.Tests;
using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary><see cref="TargetSync"/> and <c>nhnsw sync</c>: copies what the destination lacks, verified; idempotent; a cut-short sync is finished by the next.</summary>
public sealed class SyncTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A source target with two indexes' full backups and a store's full + 3 incrementals, one hour apart.</summary>
    private LocalFolderTarget Seed()
    {
        var target = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("from")).FullName);
        string index = TestSources.SaveIndex(_dir.File("docs.hnsw"), count: 60, dimensions: 4);
        TestSources.AddToStore(_dir.File("store"), 0, 20);
        IndexBackup.BackupFile(index, target, new BackupOptions { CreatedUtc = s_start });
        StoreBackup.Backup(_dir.File("store"), target, new BackupOptions { CreatedUtc = s_start.AddHours(1) });
        for (int i = 0; i < 3; i++)
        {
            TestSources.AddToStore(_dir.File("store"), 20 + (i * 5), 5);
            StoreBackup.BackupIncremental(_dir.File("store"), target, options: new BackupOptions { CreatedUtc = s_start.AddHours(2 + i) });
        }
        IndexBackup.BackupFile(index, target, new BackupOptions { CreatedUtc = s_start.AddHours(5) });
        return target;
    }

    private static List<string> Ids(IBackupTarget target) => [.. BackupCatalog.Load(target).Backups.Select(b => b.Id)];

    [Fact]
    public void Sync_CopiesEverythingVerified_ThenSkipsEverything()
    {
        var from = Seed();
        var to = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("to")).FullName);

        var first = TargetSync.Run(from, to, since: null, dryRun: false, CancellationToken.None);

        Assert.Equal(6, first.Copied);
        Assert.Equal(0, first.Failed + first.Skipped);
        Assert.Equal(Ids(from), Ids(to));
        Assert.Equal(first.BytesCopied, BackupCatalog.Load(to).Backups.Sum(b => b.Files.Sum(f => f.Length)));
        // The copied chain restores on its own at the destination.
        var lastIncremental = BackupCatalog.Load(to).Backups.Last(b => b.Kind == BackupKind.Incremental);
        StoreRestore.Restore(to, BackupSelector.ById(lastIncremental.Id), _dir.File("restored-store"));
        var again = TargetSync.Run(from, to, since: null, dryRun: false, CancellationToken.None);
        Assert.Equal((0, 6, 0), (again.Copied, again.Skipped, again.Failed));
    }

    [Fact]
    public void Sync_Since_CopiesNewerBackupsAndTheParentsTheyNeed_DryRunCopiesNothing()
    {
        var from = Seed();
        var to = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("to")).FullName);
        var since = s_start.AddHours(4);

        var dry = TargetSync.Run(from, to, since, dryRun: true, CancellationToken.None);
        Assert.Empty(Ids(to));
        Assert.Empty(Directory.EnumerateFileSystemEntries(to.Root));

        var real = TargetSync.Run(from, to, since, dryRun: false, CancellationToken.None);
        // The last incremental (hour 4) needs hours 1-3; the index backup of hour 5 stands alone; hour 0 is not wanted.
        var expected = BackupCatalog.Load(from).Backups.Where(b => b.CreatedUtc >= s_start.AddHours(1)).Select(b => b.Id).ToList();
        Assert.Equal(expected, Ids(to));
        Assert.Equal(expected, dry.Items.Where(i => i.Outcome == SyncOutcome.WouldCopy).Select(i => i.BackupId));
        Assert.Equal(5, real.Copied);
    }

    [Fact]
    public void Sync_CutShortByFailingWrites_ListsNothingPartial_AndTheNextRunFinishes()
    {
        var from = Seed();
        var local = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("to")).FullName);
        // Every third file write fails: some backups are cut short midway through their files.
        var flaky = new FailingTarget(local, n => n % 3 == 0);

        var cut = TargetSync.Run(from, flaky, since: null, dryRun: false, CancellationToken.None);

        Assert.True(cut.Failed > 0);
        Assert.True(cut.Copied > 0);
        // Whatever the destination lists is whole: every file there passes its SHA-256.
        foreach (var b in BackupCatalog.Load(local).Backups)
            Assert.Equal(BackupState.Ok, TargetScrubber.Scrub(local, TimeProvider.System, CancellationToken.None, x => x.Id == b.Id, mark: false).Findings.Single().State);
        // An incremental whose parent failed is not copied either (it could not restore there).
        foreach (var failed in cut.Items.Where(i => i.Outcome == SyncOutcome.Failed))
            Assert.DoesNotContain(failed.BackupId, Ids(local));

        var rest = TargetSync.Run(from, local, since: null, dryRun: false, CancellationToken.None);
        Assert.Equal(0, rest.Failed);
        Assert.Equal(cut.Copied, rest.Skipped);
        Assert.Equal(Ids(from), Ids(local));
    }

    [Fact]
    public void Sync_SkipsACopyMarkedDamagedAtTheSource_AndItsDescendants()
    {
        var from = Seed();
        var full = BackupCatalog.Load(from).Backups.Single(b => b.SourceKind == BackupSourceKind.Store && b.Kind == BackupKind.Full);
        string file = Path.Combine(from.Root, full.Id, full.Files[0].Name);
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 1;
        File.WriteAllBytes(file, bytes);
        TargetScrubber.Scrub(from, TimeProvider.System, CancellationToken.None);
        var to = new LocalFolderTarget(Directory.CreateDirectory(_dir.File("to")).FullName);

        var report = TargetSync.Run(from, to, since: null, dryRun: false, CancellationToken.None);

        Assert.Equal(2, report.Copied);
        Assert.Equal(4, report.Failed);
        Assert.Contains("marked damaged", report.Items.Single(i => i.BackupId == full.Id).Reason, StringComparison.Ordinal);
        Assert.All(BackupCatalog.Load(to).Backups, b => Assert.Equal(BackupSourceKind.Index, b.SourceKind));
    }

    [Fact]
    public void Cli_SyncLocalToS3AndBack_VerifiedEachWay()
    {
        Assert.SkipWhen(s3.SkipReason is not null, s3.SkipReason ?? "");
        var from = Seed();
        string bucket = $"s3://{S3rverFixture.Bucket}/sync-{Guid.NewGuid():N}";
        var saved = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3" }.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint.ToString());
            var up = Cli("sync", "--from", from.Root, "--to", bucket, "--json");
            Assert.Equal(0, up.Code);
            var doc = JsonDocument.Parse(up.Out).RootElement;
            Assert.Equal(6, doc.GetProperty("copied").GetInt32());
            Assert.Equal(0, Cli("sync", "--from", from.Root, "--to", bucket, "--json").Code);
            Assert.Equal(6, JsonDocument.Parse(Cli("sync", "--from", from.Root, "--to", bucket, "--json").Out).RootElement.GetProperty("skipped").GetInt32());

            string back = _dir.File("back");
            var down = Cli("sync", "--from", bucket, "--to", back);
            Assert.Equal(0, down.Code);
            Assert.Contains("6 copied", down.Out, StringComparison.Ordinal);
            Assert.Equal(Ids(from), Ids(new LocalFolderTarget(back)));
        }
        finally
        {
            foreach (var (name, value) in saved)
                Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public void Cli_SyncFromAMissingFolder_IsBadUsage()
    {
        var r = Cli("sync", "--from", _dir.File("nope"), "--to", _dir.File("to"));
        Assert.Equal(NhnswCli.BadUsage, r.Code);
        Assert.Contains("does not exist", r.Err, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliSession.Run(args);
}

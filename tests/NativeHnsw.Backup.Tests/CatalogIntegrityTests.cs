using System.Net;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>The catalog tells damaged, broken-chain and partial backups from good ones, and prune sweeps what dead writers left.</summary>
public sealed class CatalogIntegrityTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static readonly DateTimeOffset s_origin = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly StoreOptions s_quiet = new() { Checkpoints = new CheckpointPolicy { Interval = null }, Log = _ => { } };

    [Fact]
    public void Check_FileDeletedFromBackup_DamagedNamingTheFile()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var good = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target, new BackupOptions { CreatedUtc = s_origin });
        var hurt = IndexBackup.BackupFile(TestIndexes.Save(dir, "b.hnsw", 40, seed: 2), target, new BackupOptions { CreatedUtc = s_origin.AddHours(1) });
        File.Delete(Path.Combine(target.Root, hurt.Id, IndexBackup.IndexFileName));

        var health = BackupCatalog.Load(target).Check();

        Assert.Equal([good.Id, hurt.Id], health.Select(h => h.Backup.Id));
        Assert.Equal(BackupState.Ok, health[0].State);
        Assert.Null(health[0].Problem);
        Assert.Equal(BackupState.Damaged, health[1].State);
        var problem = Assert.IsType<BackupIntegrityException>(health[1].Problem);
        Assert.Contains($"'{IndexBackup.IndexFileName}' is missing", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FileTruncated_Damaged()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target);
        string file = Path.Combine(target.Root, manifest.Id, IndexBackup.IndexFileName);
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);

        var health = Assert.Single(BackupCatalog.Load(target).Check());

        Assert.Equal(BackupState.Damaged, health.State);
        Assert.Contains("100 bytes", health.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IncrementalWhoseParentIsGoneOrDamaged_BrokenChainWithReason()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        BackupManifest full, first, second;
        using (var client = new PersistentClient(dir.File("store"), s_quiet))
        {
            var docs = client.GetOrCreateCollection("docs", new CollectionOptions { Dimensions = 4 });
            TestStores.Fill(docs, 30, seed: 3);
            full = StoreBackup.Backup(client, target, new BackupOptions { CreatedUtc = s_origin });
            docs.Delete(["r1"]);
            first = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(1) });
            docs.Delete(["r2"]);
            second = StoreBackup.BackupIncremental(client, target, options: new BackupOptions { CreatedUtc = s_origin.AddMinutes(2) });
        }
        Assert.All(BackupCatalog.Load(target).Check(), h => Assert.Equal(BackupState.Ok, h.State));

        File.Delete(Path.Combine(target.Root, full.Id, StoreBackup.DatabaseFileName));
        var damaged = BackupCatalog.Load(target).Check();
        Assert.Equal([BackupState.Damaged, BackupState.BrokenChain, BackupState.BrokenChain], damaged.Select(h => h.State));
        var reason = Assert.IsType<BackupChainException>(damaged[2].Problem);
        Assert.Contains($"'{full.Id}'", reason.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", reason.Message, StringComparison.Ordinal);

        target.Delete(first.Id);
        var gone = Assert.Single(BackupCatalog.Load(target).Check(), h => h.Backup.Id == second.Id);
        Assert.Equal(BackupState.BrokenChain, gone.State);
        Assert.Contains($"parent '{first.Id}'", gone.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("missing", gone.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithoutManifest_ReportedAsPartial_NotSelectable()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var good = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target, new BackupOptions { CreatedUtc = s_origin });
        const string partialId = "20250601T010000000Z-abcdef";
        Directory.CreateDirectory(Path.Combine(target.Root, partialId));
        File.WriteAllText(Path.Combine(target.Root, partialId, IndexBackup.IndexFileName), "half");

        var catalog = BackupCatalog.Load(target);

        Assert.Equal([good.Id], catalog.Backups.Select(b => b.Id));
        Assert.Equal([partialId], catalog.PartialIds);
        var problem = Assert.IsType<BackupIntegrityException>(Assert.Single(catalog.Problems));
        Assert.Equal(partialId, problem.BackupId);
        Assert.Contains("partial", problem.Message, StringComparison.Ordinal);
        Assert.Equal(good.Id, catalog.Select(BackupSelector.Latest).Id);
        Assert.Same(problem, Assert.Throws<BackupIntegrityException>(() => catalog.Select(BackupSelector.ById(partialId))));
    }

    [Fact]
    public void ListIds_FolderDoesNotExist_TargetUnavailable()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("nowhere"));

        var e = Assert.Throws<BackupTargetException>(() => BackupCatalog.Load(target));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("nowhere")));
    }

    [Fact]
    public void Prune_SweepsOnlyLeftoversOlderThanTheAge_AndNotOnADryRun()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var kept = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target, new BackupOptions { CreatedUtc = s_origin });
        var now = new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
        string oldStaging = Leftover(target, ".staging-20250101T000000000Z-aaaaaa-12345678", now.AddHours(-30));
        string oldDeleting = Leftover(target, ".deleting-20250101T000000000Z-bbbbbb-12345678", now.AddDays(-3));
        // A writer at work: its folder is old but it wrote a file an hour ago.
        string busy = Leftover(target, ".staging-20260110T000000000Z-cccccc-12345678", now.AddDays(-2), newestFile: now.AddHours(-1));
        string partial = Leftover(target, "20250101T000000000Z-dddddd", now.AddDays(-10));
        var clock = new FixedTime(now);

        var dry = BackupPruner.Prune(target, new RetentionPolicy(7, 4, 12), dryRun: true, time: clock);
        Assert.Equal([Path.GetFileName(oldDeleting), Path.GetFileName(oldStaging)], dry.Swept.Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(oldStaging) && Directory.Exists(oldDeleting));

        var report = BackupPruner.Prune(target, new RetentionPolicy(7, 4, 12), dryRun: false, time: clock);

        Assert.Equal([Path.GetFileName(oldDeleting), Path.GetFileName(oldStaging)], report.Swept.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(oldStaging));
        Assert.False(Directory.Exists(oldDeleting));
        Assert.True(Directory.Exists(busy));
        Assert.True(Directory.Exists(partial)); // a partial backup is reported, never swept: it may be a hand copy
        Assert.Equal([kept.Id], target.ListIds());
        Assert.Empty(BackupPruner.Prune(target, new RetentionPolicy(7, 4, 12), dryRun: false, time: clock).Swept);
    }

    [Fact]
    public void Delete_MarksItsDeletingFolderNew_SoAConcurrentSweepLeavesIt()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        var manifest = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target);
        Directory.SetLastWriteTimeUtc(Path.Combine(target.Root, manifest.Id), DateTime.UtcNow.AddDays(-5));
        foreach (string f in Directory.GetFiles(Path.Combine(target.Root, manifest.Id)))
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddDays(-5));

        target.Delete(manifest.Id);

        // The deletion finished, so nothing is left; had it been killed midway, its folder would be judged by when it began.
        Assert.Empty(Directory.GetDirectories(target.Root));
    }

    [Fact]
    public void S3_PartialListedAndSwept_OnlyOnceOld()
    {
        if (s3.SkipReason is { } reason)
            Assert.Skip(reason);
        using var dir = new TempDirectory();
        using var target = s3.Target("sweep-" + Guid.NewGuid().ToString("N"));
        var manifest = IndexBackup.BackupFile(TestIndexes.Save(dir, "a.hnsw", 40, seed: 1), target);
        const string deadId = "20250101T000000000Z-eeeeee";
        // What a writer killed mid-upload leaves: a file under the backup's id, and no manifest.
        target.Call(deadId, "upload a file alone", () => target.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = S3rverFixture.Bucket,
            Key = target.KeyOf(deadId, "a.bin"),
            ContentBody = "abc",
            UseChunkEncoding = false,
        }, TestContext.Current.CancellationToken));

        var catalog = BackupCatalog.Load(target);
        Assert.Equal([deadId], catalog.PartialIds);
        Assert.Contains("partial", Assert.Single(catalog.Problems).Message, StringComparison.Ordinal);
        Assert.Equal(BackupState.Ok, Assert.Single(catalog.Check()).State);
        Assert.Equal(["a.bin"], target.ListFiles(deadId).Keys);

        Assert.Empty(target.SweepLeftovers(TimeSpan.FromHours(24), DateTimeOffset.UtcNow, dryRun: false));
        Assert.Equal([deadId], target.SweepLeftovers(TimeSpan.FromHours(24), DateTimeOffset.UtcNow.AddDays(2), dryRun: false));
        Assert.Empty(target.ListPartialIds());
        Assert.Equal([manifest.Id], target.ListIds());
    }

    [Fact]
    public async Task S3_ServerAnswering404ToEverything_IsNotAnS3Server()
    {
        int port = S3rverFixture.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().WaitAsync(TestContext.Current.CancellationToken);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                context.Response.StatusCode = 404;
                context.Response.ContentType = "text/html";
                byte[] body = "<html><body>Not Found</body></html>"u8.ToArray();
                await context.Response.OutputStream.WriteAsync(body, TestContext.Current.CancellationToken);
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);
        using var target = new S3Target(new S3TargetOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}"),
            Bucket = "b",
            AccessKey = "k",
            SecretKey = "s",
            MaxRetries = 0,
        });

        var list = Assert.Throws<BackupTargetException>(() => target.ListIds());
        var read = Assert.Throws<BackupTargetException>(() => target.ReadManifest("20250101T000000000Z-ffffff"));

        Assert.Contains("not an S3 server", list.Message, StringComparison.Ordinal);
        Assert.Contains("not an S3 server", read.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", read.Message, StringComparison.Ordinal);
        listener.Stop();
        await serve;
    }

    private static string Leftover(LocalFolderTarget target, string name, DateTimeOffset written, DateTimeOffset? newestFile = null)
    {
        string path = Path.Combine(target.Root, name);
        Directory.CreateDirectory(path);
        string file = Path.Combine(path, "index.hnsw");
        File.WriteAllText(file, "partial bytes");
        File.SetLastWriteTimeUtc(file, (newestFile ?? written).UtcDateTime);
        Directory.SetLastWriteTimeUtc(path, written.UtcDateTime);
        return path;
    }

    /// <summary>A clock that stands still at one instant.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

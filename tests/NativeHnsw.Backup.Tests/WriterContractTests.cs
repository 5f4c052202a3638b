namespace NativeHnsw.Backup.Tests;

/// <summary>The one contract every target's writer keeps (<see cref="BackupWriter"/>), checked on both targets.</summary>
public sealed class WriterContractTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    public static TheoryData<string> Targets => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Commit_ManifestListsAFileNeverWritten_Refused_NothingListed(string kind) =>
        AssertCommitRefused(kind, written => [written, new BackupFileEntry("b.bin", "data", 3, new string('0', 64))], "b.bin");

    [Theory]
    [MemberData(nameof(Targets))]
    public void Commit_ManifestClaimsOtherBytes_Refused_NothingListed(string kind) =>
        AssertCommitRefused(kind, written => [written with { Sha256 = new string('f', 64) }], "a.bin");

    [Theory]
    [MemberData(nameof(Targets))]
    public void Commit_ManifestOmitsAWrittenFile_Refused(string kind)
    {
        using var dir = new TempDirectory();
        var target = Open(kind, dir);
        using var owned = target as IDisposable;
        string id = NewId();
        using var writer = target.Begin(id);
        var a = Write(writer, "a.bin", [1, 2, 3]);
        Write(writer, "b.bin", [4, 5]);

        Assert.Throws<InvalidOperationException>(() => writer.Commit(Manifest(id, a)));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Write_RepeatedOrManifestName_ArgumentException(string kind)
    {
        using var dir = new TempDirectory();
        var target = Open(kind, dir);
        using var owned = target as IDisposable;
        using var writer = target.Begin(NewId());
        Write(writer, "a.bin", [1]);

        Assert.Throws<ArgumentException>(() => Write(writer, "a.bin", [2]));
        Assert.Throws<ArgumentException>(() => Write(writer, BackupManifest.FileName, [2]));
        Assert.Throws<ArgumentException>(() => Write(writer, "../escape", [2]));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Commit_ThenWrite_InvalidOperation_AndTheBackupLists(string kind)
    {
        using var dir = new TempDirectory();
        var target = Open(kind, dir);
        using var owned = target as IDisposable;
        string id = NewId();
        using var writer = target.Begin(id);
        var a = Write(writer, "a.bin", [1, 2, 3]);
        writer.Commit(Manifest(id, a));

        Assert.Throws<InvalidOperationException>(() => Write(writer, "b.bin", [1]));
        Assert.Contains(id, target.ListIds());
        Assert.Equal(a, Assert.Single(target.ReadManifest(id).Files));
    }

    private void AssertCommitRefused(string kind, Func<BackupFileEntry, BackupFileEntry[]> listed, string named)
    {
        using var dir = new TempDirectory();
        var target = Open(kind, dir);
        using var owned = target as IDisposable;
        string id = NewId();
        using (var writer = target.Begin(id))
        {
            var written = Write(writer, "a.bin", [1, 2, 3]);

            var e = Assert.Throws<InvalidOperationException>(() => writer.Commit(Manifest(id, listed(written))));

            Assert.Contains(named, e.Message, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(id, target.ListIds());
    }

    private IBackupTarget Open(string kind, TempDirectory dir)
    {
        if (kind == "local")
            return new LocalFolderTarget(dir.File("backups"));
        if (s3.SkipReason is { } reason)
            Assert.Skip(reason);
        return s3.Target("contract-" + Guid.NewGuid().ToString("N"));
    }

    private static string NewId() => BackupManifest.NewId(DateTimeOffset.UtcNow);

    private static BackupFileEntry Write(IBackupWriter writer, string name, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return writer.Write(name, "data", stream);
    }

    private static BackupManifest Manifest(string id, params BackupFileEntry[] files) => new()
    {
        FormatVersion = BackupManifest.CurrentFormatVersion,
        Id = id,
        CreatedUtc = DateTimeOffset.UtcNow,
        Kind = BackupKind.Full,
        SourceKind = BackupSourceKind.Store,
        Source = "/test",
        ToolVersion = BackupManifest.LibraryVersion,
        Store = new StoreSummary(0, []),
        Files = files,
    };
}

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

    [Fact]
    public void LocalFolder_CommitAbandonAndDelete_LeaveNoOwnerRecord()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        Directory.CreateDirectory(target.Root);
        string id = NewId();
        using (var writer = target.Begin(id))
        {
            var a = Write(writer, "a.bin", [1, 2, 3]);
            string staging = Assert.Single(Directory.GetDirectories(target.Root, LocalFolderTarget.StagingPrefix + "*"));
            Assert.Equal(WriterOwner.Current, WriterOwner.TryRead(WriterOwner.PathOf(staging)));
            writer.Commit(Manifest(id, a));
        }
        using (var abandoned = target.Begin(NewId()))
            Write(abandoned, "a.bin", [4]);
        target.Delete(id);

        Assert.Empty(Directory.GetFiles(target.Root, "*" + WriterOwner.Suffix));
        Assert.Empty(Directory.GetDirectories(target.Root, LocalFolderTarget.StagingPrefix + "*"));
        Assert.Empty(Directory.GetDirectories(target.Root, LocalFolderTarget.DeletingPrefix + "*"));
    }

    [Fact]
    public void LocalFolder_SweepAbandoned_RemovesOnlyWhatAGoneProcessOwns()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        Directory.CreateDirectory(target.Root);
        var dead = KilledProcess();
        Assert.True(dead.IsGone());
        Assert.False(WriterOwner.Current.IsGone());
        Assert.False((dead with { Host = "another-host" }).IsGone());
        string deadStaging = Leftover(target, LocalFolderTarget.StagingPrefix + "a-00000001", dead);
        string deadDeleting = Leftover(target, LocalFolderTarget.DeletingPrefix + "b-00000002", dead);
        string loneRecord = Path.Combine(target.Root, LocalFolderTarget.StagingPrefix + "c-00000003");
        File.WriteAllText(WriterOwner.PathOf(loneRecord), dead.Encode());
        string elsewhere = Leftover(target, LocalFolderTarget.StagingPrefix + "d-00000004", dead with { Host = "another-host" });
        string torn = Leftover(target, LocalFolderTarget.StagingPrefix + "e-00000005", null);
        File.WriteAllText(WriterOwner.PathOf(torn), "half a rec");
        using var live = target.Begin(NewId());
        Write(live, "a.bin", [1]);

        var wouldGo = target.SweepAbandoned(heldLease: null, dryRun: true);
        Assert.True(Directory.Exists(deadStaging));
        var swept = target.SweepAbandoned(heldLease: null, dryRun: false);

        string[] expected = [.. new[] { deadStaging, deadDeleting, WriterOwner.PathOf(loneRecord) }.Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(expected, wouldGo.Order(StringComparer.Ordinal));
        Assert.Equal(expected, swept.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(deadStaging) || Directory.Exists(deadDeleting));
        Assert.False(File.Exists(WriterOwner.PathOf(deadStaging)) || File.Exists(WriterOwner.PathOf(loneRecord)));
        Assert.True(Directory.Exists(elsewhere) && Directory.Exists(torn));
        Assert.Single(Directory.GetDirectories(target.Root, LocalFolderTarget.StagingPrefix + "*"), d => File.Exists(Path.Combine(d, "a.bin")));
    }

    [Fact]
    public void WriterOwner_WithAnIdentity_IsJudgedByIt_AnotherContainerUnderTheSameHostName_IsNeverGone()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "process identities are read from /proc, on Linux only");
        var (dead, identity) = KilledProcessWithIdentity();
        string[] parts = identity.Split(':');
        var here = dead with { Process = identity };
        Assert.True(here.IsGone());
        // The same pid and host name in another PID namespace of this boot (a container with host networking): its pid
        // means nothing here, whether or not a process here has it.
        string otherNamespace = string.Join(':', [parts[0], parts[1], "1", .. parts[3..]]);
        Assert.False((here with { Process = otherNamespace }).IsGone());
        Assert.False((WriterOwner.Current with { Process = string.Join(':', [parts[0], parts[1], "1", .. WriterOwner.Current.Process!.Split(':')[3..]]) }).IsGone());
        // Another boot: judged by the host name, as records without an identity (a reboot ended the writer).
        string otherBoot = string.Join(':', [parts[0], "00000000-0000-0000-0000-000000000000", .. parts[2..]]);
        Assert.True((here with { Process = otherBoot }).IsGone());
        Assert.False((here with { Process = otherBoot, Host = "another-host" }).IsGone());
        // Its pid reused by a process started at another tick, and this process itself.
        Assert.True((WriterOwner.Current with { Process = string.Join(':', [.. WriterOwner.Current.Process!.Split(':')[..4], "1"]) }).IsGone());
        Assert.False(WriterOwner.Current.IsGone());
    }

    [Fact]
    public void LocalFolder_SweepAbandoned_UnderALease_RemovesWorkOfOtherLeasesOnAnyHost()
    {
        using var dir = new TempDirectory();
        var target = new LocalFolderTarget(dir.File("backups"));
        Directory.CreateDirectory(target.Root);
        // A writer of a runner whose lease is over, on another host (no process check can prove it gone), killed midway
        // through a backup and through a deletion; and one of this process, live, under the lease held now.
        var elsewhere = WriterOwner.Current with { Host = "another-host", Lease = "lease-old" };
        Assert.False(elsewhere.IsGone());
        string oldStaging = Leftover(target, LocalFolderTarget.StagingPrefix + "a-00000001", elsewhere);
        string oldDeleting = Leftover(target, LocalFolderTarget.DeletingPrefix + "b-00000002", elsewhere);
        string noLease = Leftover(target, LocalFolderTarget.StagingPrefix + "c-00000003", elsewhere with { Lease = null });
        string live;
        IBackupWriter held;
        using (WriterLease.Enter("lease-now", [target.Description]))
        {
            held = target.Begin(NewId());
            Write(held, "a.bin", [1]);
            live = Assert.Single(Directory.GetDirectories(target.Root, LocalFolderTarget.StagingPrefix + "*"), d => !d.EndsWith("-00000001", StringComparison.Ordinal) && !d.EndsWith("-00000003", StringComparison.Ordinal));
            Assert.Equal("lease-now", WriterOwner.TryRead(WriterOwner.PathOf(live))!.Lease);
        }

        Assert.Empty(target.SweepAbandoned(heldLease: null, dryRun: false));
        var swept = target.SweepAbandoned(heldLease: "lease-now", dryRun: false);

        Assert.Equal([Path.GetFileName(oldDeleting), Path.GetFileName(oldStaging)], swept.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(oldStaging) || Directory.Exists(oldDeleting) || File.Exists(WriterOwner.PathOf(oldStaging)));
        Assert.True(Directory.Exists(live) && File.Exists(Path.Combine(live, "a.bin")), "the live writer under the held lease lost its staging");
        Assert.True(Directory.Exists(noLease), "a writer under no lease, on another host, lost its staging");
        // The same writer seen by the holder of a later lease: its lease is over, so its staging goes.
        Assert.Equal([Path.GetFileName(live)], target.SweepAbandoned(heldLease: "lease-later", dryRun: true));
        held.Dispose();
    }

    [Fact]
    public void WriterOwner_RecordWithoutLease_ReadsAsBefore_AndALeaseRoundTrips()
    {
        // Without a lease or an identity: the three lines writers wrote before either existed.
        var plain = WriterOwner.Current with { Process = null };
        Assert.Equal(3, plain.Encode().Split('\n').Length);
        using var dir = new TempDirectory();
        string folder = dir.File(".staging-x-00000001");
        foreach (var record in new[] { plain, plain with { Lease = "abc_1-2" }, WriterOwner.Current, WriterOwner.Current with { Lease = "abc_1-2" } })
        {
            File.WriteAllText(WriterOwner.PathOf(folder), record.Encode());
            Assert.Equal(record, WriterOwner.TryRead(WriterOwner.PathOf(folder)));
        }
        Assert.Equal(OperatingSystem.IsLinux() ? 5 : 3, WriterOwner.Current.Encode().Split('\n').Length);
        File.WriteAllText(WriterOwner.PathOf(folder), plain.Encode() + "\n");
        Assert.Null(WriterOwner.TryRead(WriterOwner.PathOf(folder)));
        File.WriteAllText(WriterOwner.PathOf(folder), plain.Encode() + "\n\n");
        Assert.Null(WriterOwner.TryRead(WriterOwner.PathOf(folder)));
        Assert.Throws<ArgumentException>(() => WriterLease.Enter("a\nb", ["x"]));
    }

    /// <summary>A hidden folder with a file in it, and its owner record when <paramref name="owner"/> is given.</summary>
    private static string Leftover(LocalFolderTarget target, string name, WriterOwner? owner)
    {
        string folder = Path.Combine(target.Root, name);
        if (owner is not null)
            File.WriteAllText(WriterOwner.PathOf(folder), owner.Encode());
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "part.bin"), [1, 2, 3]);
        return folder;
    }

    /// <summary>The owner record (without an identity) of a real process that was killed, and that process's identity.</summary>
    private static (WriterOwner Owner, string Identity) KilledProcessWithIdentity()
    {
        var (pid, started, identity) = EndedProcess.Run();
        return (new WriterOwner(Environment.MachineName, pid, started), identity);
    }

    /// <summary>The owner record a real process wrote before it was killed.</summary>
    private static WriterOwner KilledProcess()
    {
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var owner = new WriterOwner(Environment.MachineName, child.Id, child.StartTime.ToUniversalTime());
        child.Kill();
        child.WaitForExit();
        return owner;
    }

    private static string NewId() => BackupManifest.NewId(DateTimeOffset.UtcNow);

    private static BackupFileEntry Write(IBackupWriter writer, string name, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return writer.Write(name, "data", stream);
    }

    /// <summary>A full store backup's manifest listing <paramref name="files"/>: what a writer test commits.</summary>
    internal static BackupManifest Manifest(string id, params BackupFileEntry[] files) => new()
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

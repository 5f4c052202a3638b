using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// A lease whose holder's process has ended is taken over at once, not after its expiry: a runner or a
/// <c>nhnsw replicate</c> killed while it held a target's lease no longer stops that target for the lease's life
/// (five minutes for a command). Proven on the holder's identity (<see cref="ProcessIdentity"/>), never guessed.
/// </summary>
public sealed class LeaseHolderProcessTests
{
    [Fact]
    public void Identity_OfALiveProcess_IsNotGone_OfAnEndedOrReusedPid_IsGone_FromElsewhere_CannotBeTold()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the holder's process is told from /proc, on Linux only");
        string me = ProcessIdentity.Current!;
        Assert.NotNull(me);
        Assert.StartsWith("linux:", me, StringComparison.Ordinal);
        Assert.Equal(me, ProcessIdentity.Of(Environment.ProcessId));
        Assert.False(ProcessIdentity.IsGone(me));

        // This PID under another start time: the PID was reused, the holder is gone.
        string[] parts = me.Split(':');
        Assert.Equal(5, parts.Length); // linux, boot id, PID namespace, PID, start ticks
        Assert.True(ProcessIdentity.IsGone(string.Join(':', parts[..4]) + ":1"));
        Assert.True(ProcessIdentity.IsGone(EndedProcess.Identity()));

        // Another boot, another PID namespace, or no identity: nothing can be proven here, the lease waits for its expiry.
        string dead = EndedProcess.Identity();
        Assert.False(ProcessIdentity.IsGone(dead.Replace(parts[1], "00000000-0000-0000-0000-000000000000", StringComparison.Ordinal)));
        Assert.False(ProcessIdentity.IsGone(dead.Replace(":" + parts[2] + ":", ":1:", StringComparison.Ordinal)));
        Assert.False(ProcessIdentity.IsGone(null));
        Assert.False(ProcessIdentity.IsGone("windows:whatever"));
        Assert.False(ProcessIdentity.IsGone(string.Join(':', parts[..3]) + ":x:1"));
    }

    [Fact]
    public void FolderLease_OfAKilledHolder_IsTakenOverAtOnce_WithALogLine_ALiveOneIsNot()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the holder's process is told from /proc, on Linux only");
        using var dir = new TempDirectory();
        // The clock stands still: only the holder's death can free the lease (a minute long) before the takeover below.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new LineLogger<FolderLease>();
        var next = new FolderLease(dir.Path, "next-runner", time, TimeSpan.FromMinutes(5), logger);
        using var child = StartLeasedChild(dir.Path);

        Assert.False(next.TryAcquire(out var held));
        Assert.Equal("killed-runner", held!.Holder);
        Assert.Equal(child.Id, held.Pid);
        Assert.Equal(ProcessIdentity.Of(child.Id), held.Process);

        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        Assert.True(next.TryAcquire(out var taken));
        Assert.Equal("next-runner", taken!.Holder);
        Assert.Equal(ProcessIdentity.Current, FolderLease.Read(dir.Path)!.Process);
        Assert.Contains(logger.Lines, l => l.Contains("held by killed-runner", StringComparison.Ordinal) && l.Contains("its process has ended; taken over by next-runner", StringComparison.Ordinal));
    }

    [Fact]
    public void FolderLease_WithoutAProcess_OrOfAnotherMachine_WaitsForItsExpiry()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var next = new FolderLease(dir.Path, "next-runner", time, TimeSpan.FromMinutes(5), NullLogger.Instance);
        string ended = OperatingSystem.IsLinux() ? EndedProcess.Identity() : "linux:x:1:1:1";
        foreach (string? process in new[] { null, "linux:00000000-0000-0000-0000-000000000000" + ended[ended.IndexOf(':', 6)..] })
        {
            WriteLease(dir.Path, new LeaseRecord("old-runner", "elsewhere", 1, time.GetUtcNow(), time.GetUtcNow().AddMinutes(1)) { LeaseId = "0123456789abcdef0123456789abcdef", Process = process });
            Assert.False(next.TryAcquire(out var held));
            Assert.Equal("old-runner", held!.Holder);
        }
        time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.True(next.TryAcquire(out _));
    }

    [Fact]
    public void Replicate_AfterAReplicateKilledMidRound_ShipsAtOnce()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the holder's process is told from /proc, on Linux only");
        using var dir = new TempDirectory();
        string store = dir.File("store"), target = dir.File("bk");
        TestSources.AddToStore(store, 0, 20);
        Directory.CreateDirectory(target);
        // What a replicate killed inside a round leaves: its lease (five minutes long) on the target.
        var now = DateTimeOffset.UtcNow;
        WriteLease(target, new LeaseRecord($"nhnsw-replicate-{Environment.MachineName}-1", Environment.MachineName, 1, now, now.AddMinutes(5))
        {
            LeaseId = "0123456789abcdef0123456789abcdef",
            Process = EndedProcess.Identity(),
        });

        var shipped = CliSession.Run("replicate", store, "--target", target, "--once");
        Assert.True(shipped.Code == 0, shipped.Out + shipped.Err);
        Assert.Contains("base snapshot", shipped.Out, StringComparison.Ordinal);
        // Said, not done silently.
        Assert.Contains($"note: Lease on {Path.GetFullPath(target)} held by nhnsw-replicate-{Environment.MachineName}-1", shipped.Out, StringComparison.Ordinal);
        Assert.True(shipped.Out.Contains("its process has ended; taken over by", StringComparison.Ordinal), shipped.Out);
        Assert.Null(FolderLease.Read(target)); // taken over, then given up as the command ends
    }

    private static void WriteLease(string folder, LeaseRecord record) =>
        File.WriteAllBytes(Path.Combine(folder, FolderLease.FileName), JsonSerializer.SerializeToUtf8Bytes(record, LeaseJsonContext.Default.LeaseRecord));

    /// <summary>The lease child holding the folder's lease (holder "killed-runner") while it waits to be killed.</summary>
    private static Process StartLeasedChild(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { FolderLeaseTests.LocateChild(), "stage-leased", folder, "killed-1" })
            start.ArgumentList.Add(arg);
        var child = Process.Start(start)!;
        string? line = child.StandardOutput.ReadLine();
        Assert.True(line == "staged", $"the lease child printed '{line}': {(child.HasExited ? child.StandardError.ReadToEnd() : "")}");
        return child;
    }
}

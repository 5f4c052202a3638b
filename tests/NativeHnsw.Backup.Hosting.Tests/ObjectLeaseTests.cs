using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Leases on object storage by conditional writes: against moto (which honours them) and s3rver 3.7 (which does not, and is found out).</summary>
public sealed class ObjectLeaseTests(MotoServerFixture moto, S3rverFixture s3rver) : IClassFixture<MotoServerFixture>, IClassFixture<S3rverFixture>
{
    private static readonly TimeSpan s_duration = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));

    private static string Prefix() => "lease-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void Conditional_CreateOnlyAndReplaceIfUnchanged_RefuseAStaleWriter()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        string prefix = Prefix();
        using var a = moto.Target(prefix);
        using var b = moto.Target(prefix);
        Assert.True(a.ProbeConditionalWrites());
        Assert.Empty(a.ListSidecars("probe/"));

        string? v1 = a.TryWriteSidecar("x", "a1"u8, null);
        Assert.NotNull(v1);
        Assert.Null(b.TryWriteSidecar("x", "b1"u8, null));
        var read = b.ReadSidecarVersion("x")!.Value;
        Assert.Equal(v1, read.Version);
        // b replaces it knowing the version; a, still holding v1, is refused and the record keeps b's content.
        Assert.NotNull(b.TryWriteSidecar("x", "b2"u8, read.Version));
        Assert.Null(a.TryWriteSidecar("x", "a2"u8, v1));
        Assert.Equal("b2"u8.ToArray(), a.ReadSidecar("x"));
        // Sidecars never list as backups.
        Assert.Empty(a.ListIds());
        Assert.Empty(a.ListPartialIds());
    }

    [Fact]
    public void Lease_OneHolderAtATime_ExpiredIsTakenOver_TheLoserLearnsAtRenewal()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        string prefix = Prefix();
        using var ta = moto.Target(prefix);
        using var tb = moto.Target(prefix);
        var a = ObjectLease.Open(ta, "runner-a", _time, s_duration, NullLogger.Instance)!;
        var b = ObjectLease.Open(tb, "runner-b", _time, s_duration, NullLogger.Instance)!;

        Assert.True(a.TryAcquire(out var held));
        Assert.Equal("runner-a", held!.Holder);
        Assert.False(b.TryAcquire(out var other));
        Assert.Equal("runner-a", other!.Holder);
        _time.Advance(s_duration / 2);
        Assert.True(a.Renew());
        _time.Advance(s_duration / 2 + TimeSpan.FromSeconds(1));
        // Renewed half-way: still a's.
        Assert.False(b.TryAcquire(out _));

        _time.Advance(s_duration);
        Assert.True(b.TryAcquire(out var taken));
        Assert.Equal("runner-b", taken!.Holder);
        Assert.False(a.Renew());
        Assert.False(a.TryAcquire(out var now));
        Assert.Equal("runner-b", now!.Holder);
        Assert.Equal("runner-b", ObjectLease.Peek(ta)!.Holder);

        b.Release();
        // Released, not expired: a takes it at once, without waiting out the duration.
        Assert.True(a.TryAcquire(out _));
        // A release by a runner that no longer holds it changes nothing.
        b.Release();
        Assert.Equal("runner-a", ObjectLease.Peek(ta)!.Holder);
    }

    [Fact]
    public void Lease_OfAnEndedProcess_IsTakenOverAtOnce_OfALiveOne_IsNot()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the holder's process is told from /proc, on Linux only");
        string prefix = Prefix();
        using var ta = moto.Target(prefix);
        using var tb = moto.Target(prefix);
        var a = ObjectLease.Open(ta, "runner-a", _time, s_duration, NullLogger.Instance)!;
        var logger = new LineLogger<ObjectLease>();
        var b = ObjectLease.Open(tb, "runner-b", _time, s_duration, logger)!;
        Assert.True(a.TryAcquire(out var held));
        Assert.Equal(ProcessIdentity.Current, held!.Process);
        // Held by this (live) process: refused, whatever the clock says short of the expiry.
        Assert.False(b.TryAcquire(out _));

        // As if runner-a had been killed: its lease names a process that has ended.
        var (content, version) = ta.ReadSidecarVersion(ObjectLease.Name)!.Value;
        var dead = System.Text.Json.JsonSerializer.Deserialize(content, LeaseJsonContext.Default.LeaseRecord)! with { Process = EndedProcess.Identity() };
        Assert.NotNull(ta.TryWriteSidecar(ObjectLease.Name, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(dead, LeaseJsonContext.Default.LeaseRecord), version));
        Assert.True(b.TryAcquire(out var taken));
        Assert.Equal("runner-b", taken!.Holder);
        Assert.Contains(logger.Lines, l => l.Contains("held by runner-a", StringComparison.Ordinal) && l.Contains("its process has ended; taken over by runner-b", StringComparison.Ordinal));
        Assert.False(a.Renew());
    }

    [Fact]
    public void TwoProcessesRacing_OnObjectStorage_NeverBothHoldIt()
    {
        // Two runner processes, each with its own S3 client, racing for one prefix's lease on moto (conditional PUTs
        // honoured): the server lets exactly one conditional write win, so they never both hold it.
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        using var markers = new TempDirectory();
        string prefix = Prefix();
        var results = FolderLeaseTests.RaceProcesses(holder => ["s3", moto.Endpoint.ToString(), MotoServerFixture.Bucket, prefix, markers.Path, holder, "2", "4000"]);
        Assert.True(results.Sum(r => r.Acquired) > 0, "neither process took the lease");
        // Both ran at once: at least one was refused while the other held it, so the race was exercised.
        Assert.True(results.Sum(r => r.Refused) > 0, "no process was ever refused: the two did not overlap");
    }

    [Fact]
    public void Lease_OnAServerThatIgnoresConditionalWrites_IsRefused()
    {
        Assert.SkipWhen(s3rver.SkipReason is not null, s3rver.SkipReason ?? "");
        using var target = s3rver.Target(Prefix());
        Assert.False(target.ProbeConditionalWrites());
        Assert.Null(ObjectLease.Open(target, "runner", _time, s_duration, NullLogger.Instance));
        Assert.Empty(target.ListSidecars(""));
    }
}

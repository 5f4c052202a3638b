using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// <c>nhnsw replicate</c> to object storage (moto, which honours conditional PUTs) under the prefix's lease, as a child
/// process (the S3 settings are environment variables, so never set in this process beside other tests): refused while
/// a runner holds the lease, shipping once it is released, the lease given up after the round, and a lease left by a
/// replicate killed mid-round taken over at once.
/// </summary>
public sealed class ReplicateObjectLeaseTests(MotoServerFixture moto) : IClassFixture<MotoServerFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReplicateOnce_ToS3_RefusedWhileARunnerHoldsTheLease_ThenShips_AndGivesTheLeaseUp()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        string prefix = "replicate-" + Guid.NewGuid().ToString("N"), store = _dir.File("store");
        TestSources.AddToStore(store, 0, 20);
        using var target = moto.Target(prefix);
        var runner = ObjectLease.Open(target, "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance)!;
        Assert.True(runner.TryAcquire(out _));

        var refused = Replicate(store, prefix);
        Assert.True(refused.Code == 1, refused.Out + refused.Err);
        Assert.Contains("is leased by runner", refused.Out, StringComparison.Ordinal);
        Assert.Empty(target.ListIds());
        Assert.Empty(SegmentStore.For(target).List());
        Assert.Equal("runner", ObjectLease.Peek(target)!.Holder);

        runner.Release();
        var shipped = Replicate(store, prefix);
        Assert.True(shipped.Code == 0, shipped.Out + shipped.Err);
        Assert.Contains("\"snapshot\"", shipped.Out, StringComparison.Ordinal);
        Assert.Single(target.ListIds());
        // Given up after the round: written expired at its acquisition, so the next holder takes it without a word.
        var after = ObjectLease.Peek(target)!;
        Assert.StartsWith($"nhnsw-replicate-{Environment.MachineName}-", after.Holder, StringComparison.Ordinal);
        Assert.Equal(after.AcquiredUtc, after.ExpiresUtc);
        Assert.True(runner.TryAcquire(out _));
        runner.Release();
    }

    [Fact]
    public void ReplicateOnce_ToS3_AfterAReplicateKilledMidRound_ShipsAtOnce()
    {
        Assert.SkipWhen(moto.SkipReason is not null, moto.SkipReason ?? "");
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the holder's process is told from /proc, on Linux only");
        string prefix = "replicate-" + Guid.NewGuid().ToString("N"), store = _dir.File("store");
        TestSources.AddToStore(store, 0, 20);
        using var target = moto.Target(prefix);
        // What a replicate killed inside a round leaves: its five-minute lease, naming a process that has ended.
        var now = DateTimeOffset.UtcNow;
        var left = new LeaseRecord($"nhnsw-replicate-{Environment.MachineName}-1", Environment.MachineName, 1, now, now.AddMinutes(5))
        {
            LeaseId = "0123456789abcdef0123456789abcdef",
            Process = EndedProcess.Identity(),
        };
        Assert.NotNull(target.TryWriteSidecar(ObjectLease.Name, JsonSerializer.SerializeToUtf8Bytes(left, LeaseJsonContext.Default.LeaseRecord), null));

        var shipped = Replicate(store, prefix);
        Assert.True(shipped.Code == 0, shipped.Out + shipped.Err);
        Assert.Single(target.ListIds());
        Assert.NotEqual(left.Holder, ObjectLease.Peek(target)!.Holder);
    }

    /// <summary><c>nhnsw replicate STORE --target s3://BUCKET/PREFIX --once --json</c> in a child process, against moto.</summary>
    private (int Code, string Out, string Err) Replicate(string store, string prefix)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "nhnsw.dll"), "replicate", store, "--target", $"s3://{MotoServerFixture.Bucket}/{prefix}", "--once", "--json" })
            start.ArgumentList.Add(arg);
        start.Environment["AWS_ACCESS_KEY_ID"] = "moto";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "moto";
        start.Environment["AWS_ENDPOINT_URL_S3"] = moto.Endpoint.ToString();
        start.Environment["AWS_REGION"] = "us-east-1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "nhnsw replicate did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }
}

using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Storage;
using NativeHnsw.Storage.CrashChild;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// kill -9 of the writer and of the shipper at random moments, as child processes: the writer is the storage crash
/// test's child (CrashPlan steps, "ack N" after each returns), the shipper is <c>nhnsw replicate --every 200ms</c>.
/// Whenever the shipper has just been killed, every step acknowledged more than the interval plus a margin of
/// <see cref="s_margin"/> before the kill must restore at its acknowledgement time: the restored store equals the
/// CrashPlan model after that step or a later one (never a partial step, never a gap).
/// </summary>
public sealed class ShippingCrashTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(200);

    /// <summary>One round's time on a loaded machine: a snapshot read, a segment written and fsynced, the watermark moved.</summary>
    private static readonly TimeSpan s_margin = TimeSpan.FromSeconds(3);

    private readonly List<(int Step, DateTimeOffset At)> _acks = [];

    [Fact]
    public async Task WriterAndShipper_KilledAtRandomMoments_EveryAckOlderThanIntervalPlusMarginRestoresAtItsTime()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var dir = new TempDirectory();
        string store = dir.File("store"), target = dir.File("target");
        Process? writer = null, shipper = null;
        Task? reading = null;
        int nextStep = 0, checks = 0;
        var shipperStarted = DateTimeOffset.MinValue;
        try
        {
            for (int round = 0; round < 6; round++)
            {
                if (writer is null)
                    (writer, reading) = await StartWriter(store, nextStep);
                if (shipper is null)
                {
                    shipper = StartShipper(store, target);
                    shipperStarted = DateTimeOffset.UtcNow;
                }
                const int Rounds = 6;
                var delay = TimeSpan.FromMilliseconds(random.Next(1_500, 3_000));
                // The last round kills the shipper after it has run long enough for a check (see below).
                if (round == Rounds - 1)
                    delay = TimeSpan.FromTicks(Math.Max(delay.Ticks, (shipperStarted + (2 * s_margin) + s_interval + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow).Ticks));
                await Task.Delay(delay, TestContext.Current.CancellationToken);
                if (round == Rounds - 1)
                    await UntilAnAckIsDue(shipperStarted);
                int kill = round == Rounds - 1 ? 1 : random.Next(3); // 0 writer, 1 shipper, 2 both
                var killedAt = DateTimeOffset.UtcNow;
                if (kill != 1)
                {
                    writer.Kill();
                    await writer.WaitForExitAsync(TestContext.Current.CancellationToken);
                    await reading!;
                    writer.Dispose();
                    writer = null;
                    nextStep = NextStep(store, nextStep);
                }
                if (kill != 0)
                {
                    shipper.Kill();
                    await shipper.WaitForExitAsync(TestContext.Current.CancellationToken);
                    shipper.Dispose();
                    shipper = null;
                    (int Step, DateTimeOffset At) due;
                    lock (_acks)
                        // A shipper just started has its own start-up (a process, maybe a base snapshot) before its first round:
                        // the promise is for acknowledgements from s_margin after its start on.
                        due = _acks.LastOrDefault(a => a.At < killedAt - s_interval - s_margin && a.At > shipperStarted + s_margin);
                    if (due.At != default)
                    {
                        CheckRestoresAt(target, dir.File($"check-{round}"), due, seed);
                        checks++;
                    }
                }
            }
        }
        finally
        {
            foreach (var p in new[] { writer, shipper })
            {
                if (p is not null && !p.HasExited)
                    p.Kill();
                p?.Dispose();
            }
        }
        Assert.True(checks >= 1, $"no shipper kill came late enough to check (seed {seed})");
    }

    /// <summary>
    /// Waits (bounded) until some acknowledgement made after the shipper's start-up is older than the interval plus
    /// the margin: a writer restarted in the round before may take its time to acknowledge again on a loaded machine,
    /// and a fixed delay then left the last kill with nothing to check.
    /// </summary>
    private async Task UntilAnAckIsDue(DateTimeOffset shipperStarted)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var dueBefore = DateTimeOffset.UtcNow - s_interval - s_margin - TimeSpan.FromMilliseconds(200);
            lock (_acks)
            {
                if (_acks.Any(a => a.At < dueBefore && a.At > shipperStarted + s_margin))
                    return;
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private void CheckRestoresAt(string target, string folder, (int Step, DateTimeOffset At) due, int seed)
    {
        PointInTimeRestore.Restore(new LocalFolderTarget(target), PointInTime.Instant(due.At), folder);
        Dictionary<string, (float[] Vector, string Document, string Metadata)> restored;
        using (var client = new PersistentClient(folder))
        {
            restored = client.GetCollection(CrashPlan.Collection).Get(include: Include.All)
                .ToDictionary(r => r.Id, r => (r.Embedding!, r.Document!, string.Join(",", r.Metadata!.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}"))));
        }
        var model = new Dictionary<string, (float[] Vector, string Document, string Metadata)>(StringComparer.Ordinal);
        int maxStep;
        lock (_acks)
            maxStep = _acks.Max(a => a.Step) + 1;
        for (int step = 0; step <= maxStep; step++)
        {
            CrashPlan.ApplyToModel(model, step);
            if (step >= due.Step && Same(model, restored))
                return;
        }
        Assert.Fail($"the store restored at {due.At:O} (step {due.Step} acknowledged then) matches no CrashPlan prefix of at least {due.Step + 1} steps: {restored.Count} records (seed {seed})");
    }

    private static bool Same(Dictionary<string, (float[] Vector, string Document, string Metadata)> a, Dictionary<string, (float[] Vector, string Document, string Metadata)> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var o) && o.Document == p.Value.Document && o.Metadata == p.Value.Metadata && o.Vector.AsSpan().SequenceEqual(p.Value.Vector));

    /// <summary>
    /// The first step not yet in the store after a kill: the one after the last acknowledged, unless it is an add that
    /// committed before its ack was printed (its ids exist); an upsert or delete step is simply run again (idempotent).
    /// </summary>
    private int NextStep(string store, int nextStep)
    {
        int step;
        lock (_acks)
            step = _acks.Count == 0 ? nextStep : Math.Max(nextStep, _acks.Max(a => a.Step) + 1);
        if (step % 4 == 3)
            return step;
        using var client = PersistentClient.OpenReadOnly(store);
        return client.GetCollection(CrashPlan.Collection).Get([CrashPlan.Id(step, 0)], include: Include.None).Count > 0 ? step + 1 : step;
    }

    private async Task<(Process, Task)> StartWriter(string store, int firstStep)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ChildProjects.Locate("NativeHnsw.Storage.CrashChild"));
        start.ArgumentList.Add(store);
        start.ArgumentList.Add(firstStep.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(nameof(Durability.Process));
        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"the writer child (from step {firstStep}) did not start: {await stderr}");
        }
        if (line != "ready")
            Assert.Fail($"the writer child said '{line}': {await stderr}");
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } ack)
            {
                var at = DateTimeOffset.UtcNow;
                if (ack.StartsWith("ack ", StringComparison.Ordinal))
                {
                    lock (_acks)
                        _acks.Add((int.Parse(ack.AsSpan(4), CultureInfo.InvariantCulture), at));
                }
            }
        });
        return (process, reading);
    }

    private static Process StartShipper(string store, string target)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output.Parent!.Parent!.Parent!.Parent!.Parent!;
        string cli = Path.Combine(root.FullName, "src", "NativeHnsw.Cli", "bin", output.Parent.Name, output.Name, "nhnsw.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { cli, "replicate", store, "--target", target, "--every", "200ms", "--json" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        // Drained so a full pipe never stalls the child.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

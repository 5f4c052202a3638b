using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Backup.Hosting;
using NativeHnsw.Backup.Tests;
using NativeHnsw.Storage;
using Spectre.Console;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw replicate</c> (its rounds under the target's lease) and <c>nhnsw restore --seq/--at</c>, in-process, with their JSON and bad usage.</summary>
public sealed class ReplicateCliTests
{
    [Fact]
    public void ReplicateOnce_ThenRestoreBySequenceAndTime_GiveThoseStates()
    {
        using var dir = new TempDirectory();
        string store = dir.File("store"), target = dir.File("bk");
        using (var client = new PersistentClient(store))
            TestStores.Fill(client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 }), 20, seed: 1);
        var first = CliTests.Run("replicate", store, "--target", target, "--once", "--json");
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("\"snapshot\"", first.Out, StringComparison.Ordinal);

        using (var client = new PersistentClient(store))
            client.GetCollection("docs").Delete(["r0", "r1"]);
        var second = CliTests.Run("replicate", store, "--target", target, "--once", "--json");
        Assert.Equal(0, second.Code);
        var summary = JsonDocument.Parse(second.Out[Math.Max(0, second.Out.LastIndexOf("\n{", StringComparison.Ordinal))..]).RootElement; // the summary is the last document
        Assert.Equal(1, summary.GetProperty("commits").GetInt64());
        long last = summary.GetProperty("lastShipped").GetInt64();

        var before = CliTests.Run("restore", "--target", target, "--to", dir.File("before"), "--seq", (last - 1).ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(before.Code == 0, before.Err);
        var after = CliTests.Run("restore", "--target", target, "--to", dir.File("after"), "--at", DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture));
        Assert.True(after.Code == 0, after.Err);
        Assert.Contains("nothing was shipped after", after.Out, StringComparison.Ordinal);
        using (var client = new PersistentClient(dir.File("before")))
            Assert.Equal(20, client.GetCollection("docs").Count());
        using (var client = new PersistentClient(dir.File("after")))
            Assert.Equal(18, client.GetCollection("docs").Count());

        var occupied = CliTests.Run("restore", "--target", target, "--to", dir.File("after"), "--seq", "1", "--json");
        Assert.Equal(NhnswCli.Failed, occupied.Code);
        Assert.Equal("destination", JsonDocument.Parse(occupied.Out).RootElement.GetProperty("errorKind").GetString());
    }

    [Fact]
    public void ReplicateOnce_WhileARunnerHoldsTheTargetsLease_DoesNothing_NamesTheHolder_Exit1()
    {
        using var dir = new TempDirectory();
        var (store, target, runner) = StoreWithLeasedTarget(dir, records: 20);

        var refused = CliTests.Run("replicate", store, "--target", target, "--once");
        Assert.Equal(NhnswCli.Failed, refused.Code);
        Assert.Contains($"{Path.GetFullPath(target)} is leased by runner on {Environment.MachineName}", refused.Out, StringComparison.Ordinal);
        Assert.Equal([FolderLease.GuardName, FolderLease.FileName], Directory.GetFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("runner", FolderLease.Read(target)!.Holder);

        var json = CliTests.Run("replicate", store, "--target", target, "--once", "--json");
        Assert.Equal(NhnswCli.Failed, json.Code);
        var round = JsonDocument.Parse(json.Out[..(json.Out.IndexOf("\n{", StringComparison.Ordinal) + 1)]).RootElement;
        Assert.False(round.GetProperty("ok").GetBoolean());
        Assert.EndsWith("is leased by runner: a runner's job or another command is at work there; nothing was done, run 'replicate' again later", round.GetProperty("problem").GetString()!.Replace(FolderLease.Read(target)!.ToString(), "runner", StringComparison.Ordinal), StringComparison.Ordinal);

        runner.Release();
        var shipped = CliTests.Run("replicate", store, "--target", target, "--once");
        Assert.True(shipped.Code == 0, shipped.Out + shipped.Err);
        Assert.Contains("base snapshot", shipped.Out, StringComparison.Ordinal);
        Assert.Null(FolderLease.Read(target)); // given up as the command ends
    }

    [Fact]
    public void ReplicateFor_WhileARunnerHoldsTheTargetsLease_EveryRoundIsRefused_AndTheLeaseStaysTheRunners()
    {
        using var dir = new TempDirectory();
        var (store, target, runner) = StoreWithLeasedTarget(dir, records: 5);

        // The first round and the last (at the stop) are refused whatever the clock does between them.
        var run = CliTests.Run("replicate", store, "--target", target, "--every", "50ms", "--for", "200ms");
        Assert.True(run.Code == 0, run.Out + run.Err); // a running replicate reports problems and goes on; only --once fails
        Assert.Contains("is leased by runner", run.Out, StringComparison.Ordinal);
        Assert.Contains("the next round tries again", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("base snapshot", run.Out, StringComparison.Ordinal);
        Assert.Contains("round(s); no commits shipped", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("commit -1", run.Out, StringComparison.Ordinal);
        Assert.Equal([FolderLease.GuardName, FolderLease.FileName], Directory.GetFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("runner", FolderLease.Read(target)!.Holder);
        runner.Release();
    }

    /// <summary>
    /// The rounds of <c>replicate</c> as the command wires them (<see cref="ManualLeases.ForRounds"/> as the shipper's
    /// target scope), on a fake clock: each round that ships holds the lease and gives it up after, so a runner takes it
    /// between rounds; a round while the runner holds it ships nothing, and the next after it is released ships all.
    /// </summary>
    [Fact]
    public async Task ReplicateRounds_TakeTheLeasePerRound_RefusedWhileARunnerHoldsIt_ThenShipWithNoGapOrDuplicate()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        string store = dir.File("store");
        var target = new LocalFolderTarget(dir.File("bk"));
        using var client = new PersistentClient(store, new StoreOptions { TimeProvider = time, Log = _ => { } });
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        docs.Upsert("a", [1f, 2f]);
        var runner = new FolderLease(target.Root, "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        var segments = new LeaseWitness(SegmentStore.For(target), target.Root);
        var reports = new Reports();
        using var stop = new CancellationTokenSource();
        Task running;
        using (var leases = ManualLeases.ForRounds("replicate", [target], "this round shipped nothing", Quiet()))
        using (var shipper = new ChangeShipper(store, target, new ChangeShipperOptions { TimeProvider = time, Interval = TimeSpan.FromSeconds(1), Segments = segments, TargetScope = leases.Round }))
        {
            Assert.True(runner.TryAcquire(out _));
            running = shipper.RunAsync(reports, stop.Token);
            var refused = await reports.Next();
            Assert.Contains("is leased by runner", refused.Problem, StringComparison.Ordinal);
            Assert.Null(refused.Snapshot);
            Assert.Empty(target.ListIds());

            runner.Release();
            time.Advance(TimeSpan.FromSeconds(1));
            var first = await reports.Next();
            Assert.True(first.Ok, first.Problem);
            Assert.NotNull(first.Snapshot);
            Assert.Null(FolderLease.Read(target.Root)); // given up after the round

            // A runner's job between rounds takes the lease; the rounds meanwhile queue in the log.
            Assert.True(runner.TryAcquire(out _));
            docs.Upsert("b", [1f, 3f]);
            time.Advance(TimeSpan.FromSeconds(1));
            var waiting = await reports.Next();
            Assert.Contains("is leased by runner", waiting.Problem, StringComparison.Ordinal);
            Assert.Equal(1, waiting.Pending);
            docs.Upsert("c", [2f, 3f]);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(2, (await reports.Next()).Pending);
            runner.Release();
            time.Advance(TimeSpan.FromSeconds(1));
            var caughtUp = await reports.Next();
            Assert.True(caughtUp.Ok, caughtUp.Problem);
            Assert.Equal(2, caughtUp.Commits);
            Assert.Null(FolderLease.Read(target.Root));

            docs.Upsert("d", [3f, 3f]);
            stop.Cancel();
            await running;
            Assert.Equal(1, (await reports.Next()).Commits); // the last round, at the stop, under the lease too
        }
        Assert.Null(FolderLease.Read(target.Root));
        var listed = SegmentStore.For(target).List();
        Assert.Equal(listed.Count, segments.Holders.Count);
        Assert.All(segments.Holders, h => Assert.Equal($"nhnsw-replicate-{Environment.MachineName}-{Environment.ProcessId}", h));
        for (int i = 1; i < listed.Count; i++)
            Assert.Equal(listed[i - 1].LastSequence + 1, listed[i].FirstSequence);
        PointInTimeRestore.Restore(target, PointInTime.Instant(time.GetUtcNow()), dir.File("restored"));
        using var restored = new PersistentClient(dir.File("restored"));
        Assert.Equal(["a", "b", "c", "d"], restored.GetCollection("docs").Get().Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    /// <summary>A console that prints nothing (the JSON mode's, whose documents these tests do not ask for).</summary>
    private static CliUi Quiet() => new(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }), json: true);

    /// <summary>A store of <paramref name="records"/> records and a target folder whose lease a runner ("runner") holds.</summary>
    private static (string Store, string Target, FolderLease Runner) StoreWithLeasedTarget(TempDirectory dir, int records)
    {
        string store = dir.File("store"), target = dir.File("bk");
        using (var client = new PersistentClient(store))
            TestStores.Fill(client.CreateCollection("docs", new CollectionOptions { Dimensions = 4 }), records, seed: 1);
        var runner = new FolderLease(target, "runner", TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        Assert.True(runner.TryAcquire(out _));
        return (store, target, runner);
    }

    /// <summary>Segments written through it record who held the target's lease at each write.</summary>
    private sealed class LeaseWitness(SegmentStore inner, string root) : SegmentStore
    {
        public List<string> Holders { get; } = [];

        public override string Description => inner.Description;

        public override IReadOnlyList<ChangeSegment> List() => inner.List();

        public override void Write(ChangeSegment segment, byte[] bytes)
        {
            Holders.Add(FolderLease.Read(root)?.Holder ?? "nobody");
            inner.Write(segment, bytes);
        }

        public override byte[] Read(ChangeSegment segment) => inner.Read(segment);
    }

    /// <summary>A running shipper's reports, awaited one by one (each wait ends when the report arrives, not after a sleep).</summary>
    private sealed class Reports : IProgress<ShipReport>
    {
        private readonly Channel<ShipReport> _channel = Channel.CreateUnbounded<ShipReport>();

        public void Report(ShipReport value) => _channel.Writer.TryWrite(value);

        public async Task<ShipReport> Next()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _channel.Reader.ReadAsync(timeout.Token);
        }
    }

    [Theory]
    [InlineData("--every", "0s", "--every '0s' is not a positive duration")]
    [InlineData("--every", "soon", "--every 'soon' is not a positive duration")]
    [InlineData("--load", "10", "--load measures for a fixed time")]
    public void Replicate_BadOptions_Exit2(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        using (new PersistentClient(dir.File("store")))
        {
        }
        var result = CliTests.Run("replicate", dir.File("store"), "--target", dir.File("bk"), option, value);
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_AtWithId_Exit2()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("bk"));
        var result = CliTests.Run("restore", "--target", dir.File("bk"), "--to", dir.File("r"), "--at", "2026-12-01T10:15:00Z", "--id", "x");
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        Assert.Contains("do not combine with --id", result.Err, StringComparison.Ordinal);
    }
}

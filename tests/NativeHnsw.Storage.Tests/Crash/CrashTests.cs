using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Storage.CrashChild;

namespace NativeHnsw.Storage.Tests.Crash;

/// <summary>
/// A child process applies the steps of <see cref="CrashPlan"/> (adds, upserts, deletes in batches, with a
/// checkpoint every 60 changes) and is killed at random moments. After every kill the store is reopened and must
/// hold exactly the state after the last acknowledged step, or after the one following it (committed, killed before
/// its "ack" was printed) — never part of a batch — and the index must agree with the database. Seeded; a failure
/// names the seed and the kill.
/// </summary>
public sealed class CrashTests
{
    private const int Kills = 20;
    private const int Seed = 20_260_406;

    [Fact]
    public async Task Writes_KilledAtRandomMoments_AcknowledgedKeptNoHalfBatchIndexAgrees()
    {
        string child = ChildProjects.Locate("NativeHnsw.Storage.CrashChild");
        using var folder = new TempDirectory();
        var random = new Random(Seed);
        var state = new Dictionary<string, (float[] Vector, string Document, string Metadata)>(StringComparer.Ordinal);
        int next = 0, totalAcked = 0;
        var ct = TestContext.Current.CancellationToken;
        for (int kill = 0; kill < Kills; kill++)
        {
            var durability = kill % 3 == 2 ? Durability.Strict : Durability.Process;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { child, folder.Path, next.ToString(CultureInfo.InvariantCulture), durability.ToString() })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line != "ready")
            {
                process.Kill();
                Assert.Fail($"seed {Seed}, kill {kill}: the crash child did not start: {line}\n{await process.StandardError.ReadToEndAsync(ct)}");
            }
            var lines = process.StandardOutput.ReadToEndAsync(ct);
            await Task.Delay(random.Next(20, 400), ct);
            process.Kill();
            await process.WaitForExitAsync(ct);
            int lastAck = next - 1;
            foreach (string ack in (await lines).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                lastAck = int.Parse(ack.AsSpan(4), CultureInfo.InvariantCulture);
            for (int s = next; s <= lastAck; s++)
                CrashPlan.ApplyToModel(state, s);
            totalAcked += lastAck - next + 1;
            next = lastAck + 1;

            var options = CrashPlan.StoreOptions(Durability.Process);
            using var client = new PersistentClient(folder.Path, options);
            var collection = client.GetOrCreateCollection(CrashPlan.Collection, CrashPlan.Options);
            var actual = collection.Get(include: Include.All).ToDictionary(r => r.Id, StringComparer.Ordinal);
            if (!SameState(state, actual))
            {
                // The step after the last ack may have committed before the kill: then it must be there whole.
                var withNext = new Dictionary<string, (float[], string, string)>(state, StringComparer.Ordinal);
                CrashPlan.ApplyToModel(withNext, next);
                Assert.True(SameState(withNext, actual),
                    $"seed {Seed}, kill {kill}: the store holds {actual.Count} records, neither the state after step {next - 1} ({state.Count}) nor after step {next} ({withNext.Count})");
                state = withNext;
                next++;
            }
            Assert.Empty(collection.CheckIndexAgreesWithDatabase());
            if (state.Count > 0)
            {
                string probe = state.Keys.ElementAt(random.Next(state.Count));
                var hit = collection.Query(state[probe].Vector, 1, include: Include.Distances)[0];
                Assert.Equal(0f, hit.Distance);
            }
        }
        // Kills landed at different points: the child made progress over the run.
        Assert.True(totalAcked > Kills, $"only {totalAcked} steps acknowledged over {Kills} runs");
    }

    private static bool SameState(Dictionary<string, (float[] Vector, string Document, string Metadata)> expected, Dictionary<string, StoredRecord> actual)
    {
        if (expected.Count != actual.Count)
            return false;
        foreach (var (id, (vector, document, metadata)) in expected)
        {
            if (!actual.TryGetValue(id, out var record))
                return false;
            if (!record.Embedding!.AsSpan().SequenceEqual(vector) || record.Document != document)
                return false;
            string text = string.Join(",", record.Metadata!.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            if (text != metadata)
                return false;
        }
        return true;
    }
}

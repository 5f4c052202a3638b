using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Storage.CrashChild;
using NativeHnsw.Storage.Internal;
using NativeHnsw.Tests.Storage;

namespace NativeHnsw.Storage.Tests.Crash;

/// <summary>
/// A child process applies the steps of <see cref="CrashPlan"/> (adds, upserts, deletes in batches, with a
/// checkpoint every 60 changes) and is killed at random moments. After every kill a checkpoint may be damaged the
/// ways disks and bugs damage files (a flipped byte, a truncation, a graph made invalid with its checksums recomputed
/// so only the graph checks can catch it, every checkpoint deleted); then the store is reopened and must hold exactly
/// the state after the last acknowledged step, or after the one following it (committed, killed before its "ack" was
/// printed) — never part of a batch — the damage must be reported and fallen back past, and the index must agree
/// with the database. Seeded; a failure names the seed and the trial.
/// </summary>
/// <remarks>
/// CI runs 100 trials. For release checks run at least 500:
/// <c>NHNSW_CRASH_TRIALS=500 dotnet test --project tests/NativeHnsw.Storage.Tests -c Release -- --filter-class "*CrashTests"</c>.
/// </remarks>
public sealed class CrashTests
{
    private const int DefaultTrials = 100;
    private const int Seed = 20_260_406;

    private enum Damage
    {
        None,
        FlipByte,
        Truncate,
        InvalidGraphResealed,
        DeleteAll,
    }

    private static int Trials =>
        int.TryParse(Environment.GetEnvironmentVariable("NHNSW_CRASH_TRIALS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultTrials;

    [Fact]
    public async Task Writes_KilledAtRandomMoments_AcknowledgedKeptNoHalfBatchIndexAgrees()
    {
        string child = ChildProjects.Locate("NativeHnsw.Storage.CrashChild");
        using var folder = new TempDirectory();
        int trials = Trials;
        var random = new Random(Seed);
        var state = new Dictionary<string, (float[] Vector, string Document, string Metadata)>(StringComparer.Ordinal);
        int next = 0, totalAcked = 0, damaged = 0;
        var ct = TestContext.Current.CancellationToken;
        for (int trial = 0; trial < trials; trial++)
        {
            var durability = trial % 3 == 2 ? Durability.Strict : Durability.Process;
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
                Assert.Fail($"seed {Seed}, trial {trial}: the crash child did not start: {line}\n{await process.StandardError.ReadToEndAsync(ct)}");
            }
            var acks = new List<string>();
            // Most kills land in steady writing (after the first step returned, so the child's code is warm);
            // one in four lands anywhere from the first step on.
            if (trial % 4 != 0)
            {
                string? first = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (first is not null)
                    acks.Add(first);
            }
            var rest = process.StandardOutput.ReadToEndAsync(ct);
            await Task.Delay(random.Next(0, 80), ct);
            process.Kill();
            await process.WaitForExitAsync(ct);
            acks.AddRange((await rest).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            int lastAck = next - 1;
            foreach (string ack in acks)
                lastAck = int.Parse(ack.AsSpan(4), CultureInfo.InvariantCulture);
            for (int s = next; s <= lastAck; s++)
                CrashPlan.ApplyToModel(state, s);
            totalAcked += lastAck - next + 1;
            next = lastAck + 1;

            var damage = (Damage)(trial % 5);
            bool applied = Inflict(folder.Path, damage);
            damaged += applied ? 1 : 0;

            var options = CrashPlan.StoreOptions(Durability.Process);
            using var client = new PersistentClient(folder.Path, options);
            var collection = client.GetOrCreateCollection(CrashPlan.Collection, CrashPlan.Options);
            string where = $"seed {Seed}, trial {trial} ({damage}{(applied ? "" : ", nothing to damage")})";
            if (applied && damage == Damage.DeleteAll)
                Assert.True(collection.Recovery.Checkpoint is null, $"{where}: every checkpoint was deleted, yet {collection.Recovery.Checkpoint} was loaded");
            else if (applied)
                Assert.True(collection.Recovery.DamagedCheckpoints.Count > 0, $"{where}: the damaged checkpoint was not reported");
            var actual = collection.Get(include: Include.All).ToDictionary(r => r.Id, StringComparer.Ordinal);
            if (!SameState(state, actual))
            {
                // The step after the last ack may have committed before the kill: then it must be there whole.
                var withNext = new Dictionary<string, (float[], string, string)>(state, StringComparer.Ordinal);
                CrashPlan.ApplyToModel(withNext, next);
                Assert.True(SameState(withNext, actual),
                    $"{where}: the store holds {actual.Count} records, neither the state after step {next - 1} ({state.Count}) nor after step {next} ({withNext.Count})");
                state = withNext;
                next++;
            }
            var problems = collection.CheckIndexAgreesWithDatabase();
            Assert.True(problems.Count == 0, $"{where}: {string.Join("; ", problems.Take(3))}");
            if (state.Count > 0)
            {
                // The graph answers: a stored vector is found at distance 0 (a wide beam, so recall is not in question).
                string probe = state.Keys.ElementAt(random.Next(state.Count));
                var hits = collection.Query(state[probe].Vector, 10, include: Include.Distances, ef: 400);
                Assert.True(hits.Any(h => h.Id == probe && h.Distance == 0f), $"{where}: a query with record {probe}'s vector did not find it: {string.Join(", ", hits.Select(h => $"{h.Id}@{h.Distance}"))}");
            }
        }
        // Kills landed at different points: the child made progress over the run, and damage was really injected. Three
        // trials in four wait for the first step, so each of those acknowledges at least one; more depends on how fast
        // a loaded CI machine runs the child in its 0–80 ms (90 over 100 trials was seen), so it is not asked for.
        Assert.True(totalAcked >= trials - trials / 4, $"only {totalAcked} steps acknowledged over {trials} trials");
        Assert.True(damaged >= trials / 2, $"only {damaged} of {trials} trials found a checkpoint to damage");
    }

    /// <summary>Damages the collection's checkpoints; false when there was none to damage.</summary>
    private static bool Inflict(string store, Damage damage)
    {
        if (damage == Damage.None)
            return false;
        var layout = new StoreLayout(store);
        // Newest first.
        var files = layout.CollectionFolders().SelectMany(c => layout.Checkpoints(c.Id)).Select(c => c.Path).ToList();
        if (files.Count == 0)
            return false;
        string newest = files[0];
        switch (damage)
        {
            case Damage.FlipByte:
                var bytes = File.ReadAllBytes(newest);
                bytes[bytes.Length / 3] ^= 0x5A;
                File.WriteAllBytes(newest, bytes);
                break;
            case Damage.Truncate:
                using (var stream = new FileStream(newest, FileMode.Open, FileAccess.Write))
                    stream.SetLength(stream.Length / 2);
                break;
            case Damage.InvalidGraphResealed:
                // Node 0's first level-0 link points past the last node; every checksum is recomputed, so only the graph
                // check can tell. Made in the newest checkpoint that is still intact (earlier trials' damage may remain).
                string? intact = files.FirstOrDefault(Loads);
                if (intact is null)
                    return false;
                var file = File.ReadAllBytes(intact);
                var links = FileCraft.Find(file, 2);
                FileCraft.WriteInt32(file, links.Offset, 1);
                FileCraft.WriteInt32(file, links.Offset + 4, int.MaxValue - 1);
                FileCraft.Reseal(file);
                File.WriteAllBytes(intact, file);
                Assert.False(Loads(intact), $"{intact}: the resealed invalid graph still loads");
                break;
            default:
                foreach (string f in files)
                    File.Delete(f);
                break;
        }
        return true;
    }

    private static bool Loads(string checkpoint)
    {
        try
        {
            HnswIndex.Load(checkpoint).Dispose();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
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

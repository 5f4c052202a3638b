using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// The storage bench figures (not a test; the bench harness calls it): inserts per second batched and single,
/// reopen time with and without a fresh checkpoint, query latency with and without a filter. Seeded data.
/// </summary>
public static class StoreBench
{
    public static void Run(string folder, int count, int dimensions, Action<string> report, int singles = 2_000, int queries = 200)
    {
        var collectionOptions = new CollectionOptions { Dimensions = dimensions, Metric = DistanceMetric.Cosine, M = 16, EfConstruction = 100 };
        var storeOptions = new StoreOptions { Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = null, OnDispose = false, AfterReplayOf = 0 } };
        var data = Datasets.Clustered(count + singles, dimensions, seed: 1);
        string Line(string what, double value, string unit) => string.Create(CultureInfo.InvariantCulture, $"{what,-44} {value,12:F1} {unit}");

        var clock = Stopwatch.StartNew();
        using (var client = new PersistentClient(folder, storeOptions))
        {
            var c = client.CreateCollection("bench", collectionOptions);
            const int Batch = 1_000;
            for (int start = 0; start < count; start += Batch)
            {
                int n = Math.Min(Batch, count - start);
                c.Add([.. Enumerable.Range(start, n).Select(i => "r" + i.ToString(CultureInfo.InvariantCulture))],
                    [.. Enumerable.Range(start, n).Select(i => Datasets.Row(data, dimensions, i).ToArray())],
                    metadatas: [.. Enumerable.Range(start, n).Select(i => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["mod"] = (long)(i % 100) })]);
            }
            report(Line($"insert, batches of {Batch} ({count} records)", count / clock.Elapsed.TotalSeconds, "records/s"));

            clock.Restart();
            for (int i = count; i < count + singles; i++)
                c.Add("r" + i.ToString(CultureInfo.InvariantCulture), Datasets.Row(data, dimensions, i).ToArray());
            report(Line($"insert, one per call ({singles}, Durability.Process)", singles / clock.Elapsed.TotalSeconds, "records/s"));

            clock.Restart();
            c.Checkpoint();
            report(Line("checkpoint (save the index)", clock.Elapsed.TotalMilliseconds, "ms"));
        }

        clock.Restart();
        using (var client = new PersistentClient(folder, storeOptions))
        {
            var c = client.GetCollection("bench");
            report(Line($"reopen, fresh checkpoint ({c.Recovery.ReplayedRecords} replayed)", clock.Elapsed.TotalMilliseconds, "ms"));
            var q = Datasets.Gaussian(queries, dimensions, seed: 2);
            foreach (var (name, where) in new (string, Where?)[] { ("query k=10, no filter", null), ("query k=10, filter 10% (graph)", Where.Lt("mod", 10)), ("query k=10, filter 1% (exact)", Where.Eq("mod", 7)) })
            {
                c.Query(Datasets.Row(q, dimensions, 0), 10, where);
                clock.Restart();
                for (int i = 0; i < queries; i++)
                    c.Query(Datasets.Row(q, dimensions, i), 10, where);
                report(Line(name, clock.Elapsed.TotalMilliseconds * 1000 / queries, "µs/query"));
            }
        }

        foreach (string file in Directory.EnumerateFiles(folder, "*.nhnsw", SearchOption.AllDirectories))
            File.Delete(file);
        clock.Restart();
        using (var client = new PersistentClient(folder, storeOptions))
        {
            var c = client.GetCollection("bench");
            report(Line($"reopen, no checkpoint (rebuild of {c.Recovery.ReplayedRecords})", clock.Elapsed.TotalMilliseconds, "ms"));
        }
    }
}

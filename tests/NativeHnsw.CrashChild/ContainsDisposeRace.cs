using System.Diagnostics;

namespace NativeHnsw.CrashChild;

/// <summary>
/// One thread builds tiny-capacity indexes (so they grow many times) and disposes each; another
/// looks labels up near the end of whichever index is current. Every lookup must answer true (the
/// label was added, nothing is deleted), false (a negative label) or throw ObjectDisposedException.
/// A lookup that reads a freed states block kills the process.
/// </summary>
internal static class ContainsDisposeRace
{
    public static int Run(TimeSpan duration, int seed)
    {
        Console.WriteLine($"contains-race: seed {seed}, {duration.TotalSeconds} s");
        var clock = Stopwatch.StartNew();
        var failures = new FailureLog();
        HnswIndex? current = null;
        bool done = false;
        long cycles = 0, lookups = 0, disposed = 0;

        var builder = new Thread(() =>
        {
            var random = new Random(seed);
            var vector = new float[4];
            try
            {
                while (clock.Elapsed < duration && !failures.Any)
                {
                    var index = new HnswIndex(new HnswOptions { Dimensions = 4, Metric = DistanceMetric.L2, M = 2, EfConstruction = 1, InitialCapacity = 16 });
                    Volatile.Write(ref current, index);
                    int n = random.Next(1_000, 300_001);
                    for (int i = 0; i < n; i++)
                    {
                        for (int d = 0; d < vector.Length; d++)
                            vector[d] = random.NextSingle();
                        index.Add(i, vector);
                    }
                    index.Dispose();
                    cycles++;
                }
            }
            catch (Exception e)
            {
                failures.Add($"builder: {e}");
            }
            Volatile.Write(ref done, true);
        });

        var reader = new Thread(() =>
        {
            var random = new Random(seed + 1);
            while (!Volatile.Read(ref done))
            {
                var index = Volatile.Read(ref current);
                if (index is null)
                    continue;
                try
                {
                    long label = index.NodeCount - 1 - random.Next(64);
                    bool found = index.Contains(label);
                    if (found != label >= 0)
                        failures.Add($"Contains({label}) answered {found}");
                    lookups++;
                }
                catch (ObjectDisposedException)
                {
                    disposed++;
                }
                catch (Exception e)
                {
                    failures.Add($"reader: {e}");
                }
            }
        });

        builder.Start();
        reader.Start();
        builder.Join();
        reader.Join();
        Console.WriteLine($"contains-race: {cycles} indexes, {lookups} lookups, {disposed} saw the index disposed");
        return failures.Report();
    }
}

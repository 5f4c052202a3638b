using System.Diagnostics;

namespace NativeHnsw.CrashChild;

/// <summary>
/// Index lives one after another until the time is up, two writable (<see cref="InMemoryCycle"/>) to one
/// mapped (<see cref="MappedCycle"/>), each disposed at a random moment under its workers.
/// </summary>
internal static class IndexStress
{
    public static int Run(TimeSpan duration, int seed, string folder)
    {
        Console.WriteLine($"stress: seed {seed}, {duration.TotalSeconds} s, folder {folder}");
        Directory.CreateDirectory(folder);
        var failures = new FailureLog();
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int cycles = 0, mapped = 0;
        long calls = 0, disposedCalls = 0;
        while ((clock.Elapsed < duration || cycles < 3) && !failures.Any)
        {
            string name = $"cycle{cycles}";
            StressCycle cycle = cycles % 3 == 2
                ? MappedCycle.Create(random, failures, name, folder)
                : InMemoryCycle.Create(random, failures, name, folder);
            mapped += cycle is MappedCycle ? 1 : 0;
            cycle.Run(TimeSpan.FromMilliseconds(random.Next(20, 600)), random.Next());
            calls += cycle.Calls;
            disposedCalls += cycle.DisposedCalls;
            cycles++;
            foreach (string file in Directory.EnumerateFiles(folder, name + ".*"))
                File.Delete(file);
        }
        Console.WriteLine($"stress: {cycles} indexes ({mapped} mapped), {calls} calls, {disposedCalls} saw the index disposed");
        return failures.Report();
    }
}

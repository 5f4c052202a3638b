using System.Globalization;
using NativeHnsw;
using NativeHnsw.CrashChild;

// Usage:
//   NativeHnsw.CrashChild <first.nhnsw> <second.nhnsw> <target.nhnsw>
//     Loads both indexes, prints "ready", then saves them over <target> in turn, forever, printing
//     "saved" after each save (the parent waits for some of them, so a slow machine still kills at both parities).
//     The parent kills it at random moments and checks the target is always one of the two, whole.
//   NativeHnsw.CrashChild contains-race <seconds> <seed>
//   NativeHnsw.CrashChild stress <seconds> <seed> <folder>
//     Concurrency races run here, not in the test host, so that a crash (an access violation kills
//     the process) is reported by the parent as a failed test. Exit 0: every call answered
//     correctly or threw ObjectDisposedException; 1: a wrong answer or an unexpected exception.
if (args.Length == 3 && args[0] == "contains-race")
    return ContainsDisposeRace.Run(TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture)), int.Parse(args[2], CultureInfo.InvariantCulture));
if (args.Length == 4 && args[0] == "stress")
    return IndexStress.Run(TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture)), int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NativeHnsw.CrashChild <first> <second> <target> | contains-race <seconds> <seed> | stress <seconds> <seed> <folder>");
    return 2;
}
using var first = HnswIndex.Load(args[0]);
using var second = HnswIndex.Load(args[1]);
Console.WriteLine("ready");
Console.Out.Flush();
for (long i = 0; ; i++)
{
    (i % 2 == 0 ? second : first).Save(args[2]);
    Console.WriteLine("saved");
    Console.Out.Flush();
}

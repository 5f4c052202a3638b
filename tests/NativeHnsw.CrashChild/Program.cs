using NativeHnsw;

// Usage: NativeHnsw.CrashChild <first.nhnsw> <second.nhnsw> <target.nhnsw>
// Loads both indexes, prints "ready", then saves them over <target> in turn, forever.
// The parent kills it at random moments and checks the target is always one of the two, whole.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NativeHnsw.CrashChild <first> <second> <target>");
    return 2;
}
using var first = HnswIndex.Load(args[0]);
using var second = HnswIndex.Load(args[1]);
Console.WriteLine("ready");
Console.Out.Flush();
for (long i = 0; ; i++)
    (i % 2 == 0 ? second : first).Save(args[2]);

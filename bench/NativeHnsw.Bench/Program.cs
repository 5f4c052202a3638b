using BenchmarkDotNet.Running;
using NativeHnsw.Bench;

// `bdn [BenchmarkDotNet arguments]` runs the micro-benchmarks; anything else is the comparison harness.
if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchCli).Assembly).Run(args[1..]);
    return 0;
}
// `coldstart ...` times the first queries on an evicted mapping with and without Warm (Persistence/ColdStart.cs).
if (args.Length > 0 && args[0] == "coldstart")
    return NativeHnsw.Bench.Persistence.ColdStart.Run(args[1..]);
return BenchCli.Run(args);

using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>An engine in an interleaved sweep, under its report name; <paramref name="OnlyEf"/> limits it to one ef.</summary>
/// <param name="OnlyEf">The one ef the engine can search with (USearch's C# wrapper fixes it at construction); null: any.</param>
public sealed record SweepEngine(string Name, IVectorEngine Engine, int? OnlyEf = null)
{
    public bool Accepts(int ef) => OnlyEf is null || OnlyEf == ef;
}

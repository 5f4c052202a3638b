using NativeHnsw.Bench.Data;

namespace NativeHnsw.Bench.Cli;

/// <summary>A comparison run's parameters, validated by <see cref="BenchCli"/>.</summary>
/// <param name="BuildOneThread">Also time a one-thread build of every engine (--builds all), not only the all-cores one.</param>
/// <param name="Threads">Threads of the parallel build.</param>
/// <param name="Repeats">Timed passes per ef and timed save/load/open repetitions.</param>
/// <param name="WrapperSweep">Give USearch's C# wrapper the whole ef sweep by building one wrapper index per ef (<see cref="Engines.WrapperSweep"/>); false: the middle ef only.</param>
/// <param name="BuildRounds">Rounds of the one-thread builds (engines in turn, the order reversed every other round); the
/// build time is the median, and a ratio between engines the median of the per-round ratios.</param>
/// <param name="SameGraph">The engine whose one build every engine searches (<see cref="Engines.SameGraph"/>); null: each engine builds its own.</param>
public sealed record CompareSettings(
    DatasetRequest Dataset, DistanceMetric? Metric, int K, int M, int EfConstruction, IReadOnlyList<int> Efs,
    IReadOnlyList<string> Engines, bool BuildOneThread, int Threads, int Repeats, string? OutputDirectory, string CacheDirectory, bool Plot,
    string CommandLine, string? SameGraph = null, bool WrapperSweep = false, int BuildRounds = 1);

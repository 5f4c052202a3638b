using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Import;

/// <summary>One way to an index ready to search, timed: a rebuild, an import of a foreign file, or a library's own load of it.</summary>
/// <param name="Way">What was timed, as the table names it.</param>
/// <param name="FileBytes">The file read (0 for a rebuild).</param>
/// <param name="Answers">How the result answers compared with the index the file came from; null when not compared.</param>
public sealed record ImportFigure(string Way, long FileBytes, Summary Milliseconds, string? Answers);

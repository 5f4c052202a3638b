namespace NativeHnsw.Bench.Reports;

/// <summary>One timed build of the whole base set (one run: builds are too long to repeat by default).</summary>
public sealed record BuildResult(int Threads, double Seconds, double VectorsPerSecond);

namespace NativeHnsw.Bench.Store;

/// <summary>One measured figure of the store mode: a rate or a time, or query latencies (P50/P99 set, Value the mean).</summary>
public sealed record StoreFigure(string Group, string Measurement, double Value, string Unit, double? P50 = null, double? P99 = null);

namespace NativeHnsw.Bench.Reports;

/// <summary>One of the targets, checked against this run's figures: "pass", "miss" or "n/a" with the numbers behind it.</summary>
public sealed record TargetCheck(string Target, string Status, string Detail);

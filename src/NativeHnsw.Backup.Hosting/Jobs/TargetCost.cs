namespace NativeHnsw.Backup.Hosting;

/// <summary>One row of the cost report.</summary>
public sealed record TargetCost(string Target, string Tier, int Backups, long Bytes, double? MonthlyCost);

namespace NativeHnsw.Backup.Hosting;

/// <summary>One target in the capacity report.</summary>
/// <param name="GrowthBytesPerDay">Net growth over the last 30 days of the target's history (pruning and moves included); null with under a day of history.</param>
/// <param name="DaysToQuota">At that rate, days until the quota is reached; null without a quota or when not growing.</param>
/// <param name="MonthlyCost">Bytes × the price per GB-month; null without a price.</param>
/// <param name="History">The target's samples, oldest first, ending with one taken for this report.</param>
public sealed record TargetCapacity(
    string Target,
    string Tier,
    int Backups,
    long Bytes,
    double? GrowthBytesPerDay,
    long? QuotaBytes,
    double? DaysToQuota,
    double? MonthlyCost,
    IReadOnlyList<CapacitySample> History);

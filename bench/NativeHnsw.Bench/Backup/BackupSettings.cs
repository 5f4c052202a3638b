namespace NativeHnsw.Bench.Backup;

/// <summary>The backup mode's parameters.</summary>
/// <param name="Count">Vectors in the index on day 0.</param>
/// <param name="Days">Daily backups after day 0's.</param>
/// <param name="GrowthPercent">New vectors added each day, in per cent of the index's size that day.</param>
/// <param name="StoreRecords">Records of the store; each day <see cref="GrowthPercent"/> of them are upserted with new vectors.</param>
public sealed record BackupSettings(
    int Count, int Dimensions, int Days, double GrowthPercent, int StoreRecords, int Seed, string? OutputDirectory, string CommandLine);

namespace NativeHnsw.Backup;

/// <summary>
/// Grandfather-father-son: keep the newest backup of each of the newest <see cref="Daily"/> UTC calendar days,
/// <see cref="Weekly"/> ISO weeks and <see cref="Monthly"/> months that have backups. Defaults 7 / 4 / 12.
/// </summary>
public sealed record RetentionPolicy
{
    public RetentionPolicy(int daily = 7, int weekly = 4, int monthly = 12)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(daily);
        ArgumentOutOfRangeException.ThrowIfNegative(weekly);
        ArgumentOutOfRangeException.ThrowIfNegative(monthly);
        // With every count 0 the rule would delete everything, the newest backup included: refuse it.
        if ((long)daily + weekly + monthly == 0)
            throw new ArgumentException("A retention policy must keep at least one daily, weekly or monthly backup.");
        Daily = daily;
        Weekly = weekly;
        Monthly = monthly;
    }

    public int Daily { get; }

    public int Weekly { get; }

    public int Monthly { get; }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>Backups aged [<see cref="FromDays"/>, <see cref="ToDays"/>) belong in targets of <see cref="Tier"/>; the last rule is open-ended.</summary>
public sealed record TierRule
{
    public string Tier { get; init; } = "";

    public double FromDays { get; init; }

    /// <summary>Null on the last rule only: everything older.</summary>
    public double? ToDays { get; init; }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>One source in the capacity report: its recovery point now and its last measured recovery time, each against the policy.</summary>
/// <param name="NewestGoodUtc">The newest backup of the source with a good copy in some target (none marked by a scrub, chain whole).</param>
/// <param name="Rpo">Now minus <paramref name="NewestGoodUtc"/>.</param>
/// <param name="RpoMet">Null when the policy sets no RPO for the source.</param>
/// <param name="LastDrillRto">The restore time of the last drill (from the scheduler's state).</param>
/// <param name="RtoMet">False when the last drill failed or was too slow; null when there was none, or no RTO is set and it passed.</param>
public sealed record SourceObjectives(
    string Source,
    DateTimeOffset? NewestGoodUtc,
    TimeSpan? Rpo,
    TimeSpan? RpoTarget,
    bool? RpoMet,
    DateTimeOffset? LastDrillUtc,
    bool? LastDrillPassed,
    TimeSpan? LastDrillRto,
    TimeSpan? RtoTarget,
    bool? RtoMet,
    string? Problem);

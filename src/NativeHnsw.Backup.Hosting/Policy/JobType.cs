using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>What a scheduled job does. docs/OPERATIONS.md says which are implemented.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<JobType>))]
public enum JobType
{
    /// <summary>A full backup of each source to its primary target.</summary>
    Snapshot,

    /// <summary>An incremental of each store source, chained to its newest backup on the primary target; index sources are skipped.</summary>
    Incremental,

    /// <summary>Copies every backup missing from the offsite target there, verifying each file's SHA-256 after the copy.</summary>
    Offsite,

    /// <summary>Moves backups between targets by age, following the tier rules.</summary>
    Tiers,

    /// <summary>Retention over the whole catalog, whatever target holds a backup.</summary>
    Prune,

    /// <summary>Reads back every file of every backup and checks its length and SHA-256.</summary>
    Scrub,

    /// <summary>Restores the newest backup of each source into a scratch folder with every check, timing it against the source's RTO.</summary>
    Drill,

    /// <summary>Logs what each target stores and what it costs per month.</summary>
    Report,

    /// <summary>Ships each store source's change log since the last run to its target, for point-in-time restore.</summary>
    Replicate,
}

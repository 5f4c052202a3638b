using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>How a job run ended.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<JobOutcome>))]
public enum JobOutcome
{
    /// <summary>Everything it set out to do was done.</summary>
    Succeeded,

    /// <summary>Some sources or backups failed; the others were done.</summary>
    Failed,

    /// <summary>Nothing to do, or not done (another runner holds the lease, the job type is not implemented).</summary>
    Skipped,

    /// <summary>Stopped by shutdown before it finished; nothing partial is visible.</summary>
    Aborted,
}

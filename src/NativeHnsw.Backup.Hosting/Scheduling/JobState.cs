namespace NativeHnsw.Backup.Hosting;

/// <summary>The scheduler's record of one job.</summary>
public sealed record JobState
{
    /// <summary>The slot the last run stood for (or, before any run, when the scheduler first saw the job): the next run is the first slot after it.</summary>
    public DateTimeOffset LastSlotUtc { get; init; }

    public DateTimeOffset? LastStartUtc { get; init; }

    public DateTimeOffset? LastEndUtc { get; init; }

    public JobOutcome? LastOutcome { get; init; }

    public string? LastMessage { get; init; }
}

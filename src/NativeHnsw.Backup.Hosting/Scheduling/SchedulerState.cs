namespace NativeHnsw.Backup.Hosting;

/// <summary>What the scheduler remembers across restarts, so a slot missed while it was down is known.</summary>
public sealed record SchedulerState
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public Dictionary<string, JobState> Jobs { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, SourceState> Sources { get; init; } = new(StringComparer.Ordinal);
}

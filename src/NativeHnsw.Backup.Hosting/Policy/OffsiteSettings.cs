namespace NativeHnsw.Backup.Hosting;

/// <summary>Replication: every new backup is also copied to <see cref="Target"/> (by the offsite job).</summary>
public sealed record OffsiteSettings
{
    public string Target { get; init; } = "";
}

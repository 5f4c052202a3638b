namespace NativeHnsw.Backup.Hosting;

/// <summary>One thing to back up: an index file or a store folder, under a name jobs and reports use.</summary>
public sealed record SourcePolicy
{
    /// <summary>Unique within the policy; letters, digits, '-', '_', '.'.</summary>
    public string Name { get; init; } = "";

    public SourceType Type { get; init; }

    /// <summary>The index file or the store folder (relative paths are resolved against the policy file's folder).</summary>
    public string Path { get; init; } = "";

    /// <summary>The target that snapshots and incrementals of this source go to.</summary>
    public string Target { get; init; } = "";

    /// <summary>The recovery time objective a drill of this source must meet; null: a drill only has to succeed.</summary>
    public TimeSpan? Rto { get; init; }

    /// <summary>The recovery point objective: the newest good backup may be at most this old; null: reports show the age without a verdict.</summary>
    public TimeSpan? Rpo { get; init; }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>A named place that holds backups, the tier it is, its optional quota and its price.</summary>
public sealed record TargetPolicy
{
    /// <summary>Unique within the policy; letters, digits, '-', '_', '.'.</summary>
    public string Name { get; init; } = "";

    public TargetType Type { get; init; }

    /// <summary>The tier this target is (any name: hot, warm, cold…); tier rules and reports group by it.</summary>
    public string Tier { get; init; } = "";

    /// <summary>The folder, for a local target (relative paths are resolved against the policy file's folder).</summary>
    public string? Path { get; init; }

    /// <summary>The bucket, for an S3 target.</summary>
    public string? Bucket { get; init; }

    /// <summary>Key prefix inside the bucket, for an S3 target.</summary>
    public string? Prefix { get; init; }

    /// <summary>The service URL of an S3-compatible store; null: AWS.</summary>
    public Uri? Endpoint { get; init; }

    public string? Region { get; init; }

    /// <summary>Environment variable holding the access key (default AWS_ACCESS_KEY_ID): secrets never live in the policy.</summary>
    public string? AccessKeyVariable { get; init; }

    /// <summary>Environment variable holding the secret key (default AWS_SECRET_ACCESS_KEY).</summary>
    public string? SecretKeyVariable { get; init; }

    /// <summary>Most this target may hold, in GB (10^9 bytes); a job that would exceed it fails before writing.</summary>
    public double? QuotaGb { get; init; }

    /// <summary>Price per GB-month, for the cost report.</summary>
    public double? PricePerGbMonth { get; init; }
}

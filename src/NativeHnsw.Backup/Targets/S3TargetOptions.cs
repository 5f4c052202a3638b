namespace NativeHnsw.Backup;

/// <summary>Where and how an <see cref="S3Target"/> reaches S3-compatible object storage.</summary>
public sealed record S3TargetOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (except the last).</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The service URL, e.g. <c>https://s3.eu-central-1.amazonaws.com</c> or <c>http://127.0.0.1:9000</c> (MinIO, s3rver); null for AWS in <see cref="Region"/>.</summary>
    public Uri? Endpoint { get; init; }

    public required string Bucket { get; init; }

    /// <summary>Key prefix the backups live under (<c>PREFIX/ID/manifest.json</c>); empty for the bucket's root.</summary>
    public string Prefix { get; init; } = "";

    public required string AccessKey { get; init; }

    public required string SecretKey { get; init; }

    /// <summary>The signing region. Default <c>us-east-1</c>.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Path-style addressing (<c>ENDPOINT/BUCKET/KEY</c>), which most S3-compatible servers need. Default true when <see cref="Endpoint"/> is set.</summary>
    public bool? ForcePathStyle { get; init; }

    /// <summary>Files larger than this are uploaded in parts of this size (multipart upload). Default 16 MiB; at least 5 MiB.</summary>
    public int PartSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Retries of a failed request (the SDK's backoff). Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Per-request timeout. Default 100 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
}

namespace NativeHnsw.Backup;

/// <summary>The shape of a backed-up index: its parameters and counts, checked again after a restore.</summary>
public sealed record IndexSummary
{
    public required int Dimensions { get; init; }

    public required DistanceMetric Metric { get; init; }

    public required int M { get; init; }

    public required int EfConstruction { get; init; }

    public required int DefaultEf { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Records a search can return (live labels).</summary>
    public required int Count { get; init; }

    /// <summary>Vectors stored: live, deleted and superseded nodes.</summary>
    public required int NodeCount { get; init; }

    public required int DeletedCount { get; init; }

    /// <summary>The index file format version ("major.minor").</summary>
    public required string FormatVersion { get; init; }

    internal static IndexSummary From(IndexVerification v) => new()
    {
        Dimensions = v.Options.Dimensions,
        Metric = v.Options.Metric,
        M = v.Options.M,
        EfConstruction = v.Options.EfConstruction,
        DefaultEf = v.Options.DefaultEf,
        Seed = v.Options.Seed,
        Count = v.Count,
        NodeCount = v.NodeCount,
        DeletedCount = v.DeletedCount,
        FormatVersion = v.FormatVersion,
    };
}

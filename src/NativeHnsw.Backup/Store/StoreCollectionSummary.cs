namespace NativeHnsw.Backup;

/// <summary>One collection of a store backup, checked again after a restore.</summary>
public sealed record StoreCollectionSummary
{
    public required string Name { get; init; }

    /// <summary>The collection's id inside the store (names its checkpoint folder).</summary>
    public required long Id { get; init; }

    public required int Dimensions { get; init; }

    public required DistanceMetric Metric { get; init; }

    public required int M { get; init; }

    public required int EfConstruction { get; init; }

    public required int DefaultEf { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Records (each with one vector).</summary>
    public required long Records { get; init; }

    /// <summary>Record ids a restore looks up and queries by their own vector (the nearest hit must be at distance ~0).</summary>
    public required IReadOnlyList<string> SampleIds { get; init; }

    /// <summary>The backup file holding the collection's index checkpoint; null when the index is rebuilt on restore.</summary>
    public string? CheckpointFile { get; init; }

    /// <summary>Where that checkpoint goes inside the store (<c>collections/&lt;id&gt;/index-&lt;seq&gt;.nhnsw</c>).</summary>
    public string? CheckpointPath { get; init; }
}

namespace NativeHnsw.Storage;

/// <summary>A collection's fixed parameters, chosen at creation and stored with it.</summary>
public sealed record CollectionOptions
{
    public required int Dimensions { get; init; }

    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    public int M { get; init; } = 16;

    public int EfConstruction { get; init; } = 200;

    /// <summary>Beam width of a query that passes none.</summary>
    public int DefaultEf { get; init; } = 64;

    public ulong Seed { get; init; } = 42;

    internal HnswOptions ToHnsw(int initialCapacity) => new()
    {
        Dimensions = Dimensions,
        Metric = Metric,
        M = M,
        EfConstruction = EfConstruction,
        DefaultEf = DefaultEf,
        Seed = Seed,
        InitialCapacity = initialCapacity,
    };
}

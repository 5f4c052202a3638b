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

    /// <summary>The collection options of an index's options (its initial capacity is not one of them).</summary>
    public static CollectionOptions FromHnsw(HnswOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new()
        {
            Dimensions = options.Dimensions,
            Metric = options.Metric,
            M = options.M,
            EfConstruction = options.EfConstruction,
            DefaultEf = options.DefaultEf,
            Seed = options.Seed,
        };
    }

    /// <summary>The index options of a collection with these options, sized for <paramref name="initialCapacity"/> records.</summary>
    public HnswOptions ToHnsw(int initialCapacity = 0) => new()
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

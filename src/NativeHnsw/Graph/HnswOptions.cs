namespace NativeHnsw;

/// <summary>The parameters of an index, fixed when it is created and stored in its file.</summary>
public sealed record HnswOptions
{
    /// <summary>Largest accepted dimension count; a guard against absurd allocations, not a kernel limit.</summary>
    public const int MaxDimensions = 65_536;

    /// <summary>Largest accepted M; M0 = 2·M links per node at level 0.</summary>
    public const int MaxM = 256;

    /// <summary>Number of components of every vector.</summary>
    public required int Dimensions { get; init; }

    /// <summary>Distance used for build and search. Default: cosine.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>Links per node at levels above 0 (2·M at level 0). Default 16.</summary>
    public int M { get; init; } = 16;

    /// <summary>Beam width while inserting: higher builds a better graph, slower. Default 200.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Beam width a search uses when the caller passes none; stored in the index file. Default 64.</summary>
    public int DefaultEf { get; init; } = 64;

    /// <summary>Nodes to reserve up front; the index grows on demand beyond it.</summary>
    public int InitialCapacity { get; init; } = 1024;

    /// <summary>Seed of the level draw: a single-threaded build is reproducible for a given seed.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>
    /// Compact vectors for the graph walk. Default <see cref="VectorQuantization.None"/>. The graph is
    /// always built on the float32 rows; quantization changes how searches walk it.
    /// </summary>
    public VectorQuantization Quantization { get; init; } = VectorQuantization.None;

    /// <summary>
    /// With quantization, re-score a search's ef candidates with exact float32 distances before taking the
    /// k nearest (and return exact distances). Default true; false returns the compact estimates.
    /// </summary>
    public bool Rerank { get; init; } = true;

    /// <summary>
    /// Int8: the quantizer is trained once the index holds this many vectors (an AddRange that reaches it
    /// trains on the index's vectors and the whole batch first); until then searches walk float32. Default 1024.
    /// </summary>
    public int QuantizerTrainingSize { get; init; } = 1024;

    internal void Validate()
    {
        if (Dimensions is < 1 or > MaxDimensions)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, $"Dimensions must be between 1 and {MaxDimensions}.");
        if (!Enum.IsDefined(Metric))
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown distance metric.");
        if (M is < 2 or > MaxM)
            throw new ArgumentOutOfRangeException(nameof(M), M, $"M must be between 2 and {MaxM}.");
        if (EfConstruction is < 1 or > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(EfConstruction), EfConstruction, "EfConstruction must be between 1 and 65536.");
        if (DefaultEf is < 1 or > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(DefaultEf), DefaultEf, "DefaultEf must be between 1 and 65536.");
        if (!Enum.IsDefined(Quantization))
            throw new ArgumentOutOfRangeException(nameof(Quantization), Quantization, "Unknown quantization.");
        if (QuantizerTrainingSize is < 1 or > HnswIndex.MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(QuantizerTrainingSize), QuantizerTrainingSize, $"QuantizerTrainingSize must be between 1 and {HnswIndex.MaxNodes}.");
        if (InitialCapacity is < 0 or > HnswIndex.MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(InitialCapacity), InitialCapacity, $"InitialCapacity must be between 0 and {HnswIndex.MaxNodes}.");
    }
}

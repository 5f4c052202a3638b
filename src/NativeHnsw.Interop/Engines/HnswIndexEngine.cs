namespace NativeHnsw.Interop;

/// <summary>Our <see cref="HnswIndex"/> behind <see cref="IVectorEngine"/>.</summary>
/// <remarks>Persistence is not offered yet: <see cref="HnswIndex"/> has no Save/Load; <see cref="SupportsPersistence"/>
/// is false and <see cref="Save"/> throws until it does.</remarks>
public sealed class HnswIndexEngine : IVectorEngine
{
    public const string EngineName = "NativeHnsw";

    public HnswIndexEngine(HnswIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        Index = index;
    }

    /// <summary>The wrapped index, for what the engine interface does not cover (filters, deletes).</summary>
    public HnswIndex Index { get; }

    public string Name => EngineName;

    public int Dimensions => Index.Dimensions;

    public DistanceMetric Metric => Index.Metric;

    public long Count => Index.Count;

    public long? MemoryBytes => Index.MemoryBytes;

    public bool SupportsPersistence => false;

    public static HnswIndexEngine Create(HnswOptions options) => new(new HnswIndex(options));

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1) =>
        Index.AddRange(labels, vectors, maxDegreeOfParallelism);

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0) =>
        Index.Search(query, destination, ef);

    public void Save(string path) =>
        throw new NotSupportedException($"{EngineName} cannot save yet: HnswIndex has no persistence; check SupportsPersistence first.");

    public void Dispose() => Index.Dispose();
}

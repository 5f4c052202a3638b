namespace NativeHnsw.Interop;

/// <summary>Our <see cref="HnswIndex"/> behind <see cref="IVectorEngine"/>.</summary>
/// <remarks>Persistence is the index's own file format: <see cref="Save"/> is <see cref="HnswIndex.Save"/>,
/// <see cref="Load(string, HnswOptions)"/> reads the whole file, <see cref="Open"/> maps it read-only.</remarks>
public sealed class HnswIndexEngine : IVectorEngine
{
    public const string EngineName = "NativeHnsw";

    /// <summary>Our index walking int8 rows (<see cref="VectorQuantization.Int8"/>), re-ranked with float32.</summary>
    public const string Int8EngineName = EngineName + "-i8";

    /// <summary>Our index walking float16 rows (<see cref="VectorQuantization.Float16"/>), re-ranked with float32.</summary>
    public const string Float16EngineName = EngineName + "-f16";

    public HnswIndexEngine(HnswIndex index)
        : this(index, NameOf(index.Options.Quantization))
    {
    }

    private HnswIndexEngine(HnswIndex index, string name)
    {
        ArgumentNullException.ThrowIfNull(index);
        Index = index;
        Name = name;
    }

    /// <summary>The wrapped index, for what the engine interface does not cover (filters, deletes).</summary>
    public HnswIndex Index { get; }

    public string Name { get; }

    /// <summary>The engine name of an index with this quantization.</summary>
    public static string NameOf(VectorQuantization quantization) => quantization switch
    {
        VectorQuantization.Int8 => Int8EngineName,
        VectorQuantization.Float16 => Float16EngineName,
        _ => EngineName,
    };

    public int Dimensions => Index.Dimensions;

    public DistanceMetric Metric => Index.Metric;

    public long Count => Index.Count;

    public long? MemoryBytes => Index.MemoryBytes;

    public long? SearchMemoryBytes => Index.SearchMemoryBytes;

    public bool SupportsPersistence => true;

    public static HnswIndexEngine Create(HnswOptions options) => new(new HnswIndex(options));

    /// <summary>An index with <paramref name="options"/> and the given quantization (re-ranking on).</summary>
    public static HnswIndexEngine Create(HnswOptions options, VectorQuantization quantization)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options with { Quantization = quantization, Rerank = true });
    }

    /// <summary>Reads an index file into memory; its dimensions and metric must be those of <paramref name="options"/>.</summary>
    public static HnswIndexEngine Load(string path, HnswOptions options) => Load(path, options, LoadCheck.Full);

    /// <summary>Reads an index file into memory with the checks <paramref name="check"/> names (see <see cref="HnswIndex.Load(string, LoadCheck)"/>).</summary>
    public static HnswIndexEngine Load(string path, HnswOptions options, LoadCheck check) => Checked(HnswIndex.Load(path, check), options, path);

    /// <summary>Maps an index file read-only and searches it in place.</summary>
    public static HnswIndexEngine Open(string path, HnswOptions options) => Checked(HnswIndex.Open(path), options, path);

    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1) =>
        Index.AddRange(labels, vectors, maxDegreeOfParallelism);

    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0) =>
        Index.Search(query, destination, ef);

    public void Save(string path) => Index.Save(path);

    private static HnswIndexEngine Checked(HnswIndex index, HnswOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (index.Dimensions != options.Dimensions || index.Metric != options.Metric)
        {
            index.Dispose();
            throw new ArgumentException(
                $"{path} holds a {index.Dimensions}-dimensional {index.Metric} index; expected {options.Dimensions} dimensions, {options.Metric}.",
                nameof(options));
        }
        return new HnswIndexEngine(index);
    }

    public void Dispose() => Index.Dispose();
}

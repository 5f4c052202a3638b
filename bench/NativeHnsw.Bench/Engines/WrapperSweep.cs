using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// USearch's C# wrapper over a whole ef sweep. The wrapper takes the search expansion only when an index is made
/// (<c>new USearchIndex(metric, scalar, dims, connectivity, expansionAdd, expansionSearch)</c>) and has no setter; its
/// load (<c>new USearchIndex(path)</c>) starts from empty options, so a loaded index searches at USearch's default
/// expansion whatever it was saved with. A sweep through the wrapper therefore needs one index per ef, each built
/// from the same rows in the same order on one thread: adds use expansion_add only, so every one holds the same graph
/// (their saved files are the same bytes, tested). Each search goes to the index made with its ef.
/// </summary>
public sealed class WrapperSweep : IVectorEngine
{
    private readonly SortedDictionary<int, IVectorEngine> _byEf;
    private readonly IVectorEngine _primary;

    private WrapperSweep(SortedDictionary<int, IVectorEngine> byEf, IVectorEngine primary)
    {
        _byEf = byEf;
        _primary = primary;
    }

    /// <summary>
    /// Builds a wrapper index for each of <paramref name="efs"/> (one thread each, labels and rows as given), except the
    /// ef of <paramref name="built"/> when given, which is taken as it is (and becomes the one saved).
    /// </summary>
    /// <param name="progress">Vectors inserted so far, over all the builds.</param>
    public static WrapperSweep Build(HnswOptions options, IReadOnlyList<int> efs, long[] labels, float[] data, Action<long> progress, UsearchWrapperEngine? built = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(efs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(progress);
        var byEf = new SortedDictionary<int, IVectorEngine>();
        if (built is not null)
            byEf[built.FixedEf] = built;
        try
        {
            long done = 0;
            foreach (int ef in efs.Distinct().Where(ef => !byEf.ContainsKey(ef)))
            {
                var engine = UsearchWrapperEngine.Create(options with { DefaultEf = ef });
                byEf[ef] = engine;
                long before = done;
                SlicedBuild.Run(engine, labels, data, options.Dimensions, 1, n => progress(before + n));
                done += labels.Length;
            }
            return new WrapperSweep(byEf, built ?? byEf.Values.First());
        }
        catch
        {
            foreach (var (ef, engine) in byEf)
            {
                if (!ReferenceEquals(engine, built))
                    engine.Dispose();
            }
            throw;
        }
    }

    /// <summary>The efs it can search with, ascending.</summary>
    public IReadOnlyList<int> Efs => [.. _byEf.Keys];

    public string Name => UsearchWrapperEngine.EngineName;

    public int Dimensions => _primary.Dimensions;

    public DistanceMetric Metric => _primary.Metric;

    public long Count => _primary.Count;

    public long? MemoryBytes => null;

    public bool SupportsPersistence => true;

    /// <summary>Adds to every per-ef index, so they keep one graph.</summary>
    public void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1)
    {
        foreach (var engine in _byEf.Values)
            engine.AddBatch(labels, vectors, 1);
    }

    /// <exception cref="NotSupportedException">No index of the sweep was made with <paramref name="ef"/>.</exception>
    public int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0)
    {
        if (ef <= 0)
            return _primary.Search(query, destination);
        if (!_byEf.TryGetValue(ef, out var engine))
            throw new NotSupportedException($"{Name}: no wrapper index was made with expansion {ef} (made: {string.Join(", ", _byEf.Keys)}).");
        return engine.Search(query, destination, ef);
    }

    /// <summary>Saves the primary index (every index of the sweep holds the same graph).</summary>
    public void Save(string path) => _primary.Save(path);

    /// <summary>Saves each per-ef index to the path <paramref name="pathOf"/> gives its ef.</summary>
    public void SaveEach(Func<int, string> pathOf)
    {
        ArgumentNullException.ThrowIfNull(pathOf);
        foreach (var (ef, engine) in _byEf)
            engine.Save(pathOf(ef));
    }

    public void Dispose()
    {
        foreach (var engine in _byEf.Values)
            engine.Dispose();
        _byEf.Clear();
    }
}

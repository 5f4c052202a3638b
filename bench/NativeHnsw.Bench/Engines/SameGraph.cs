using System.Globalization;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>
/// One graph, built once by one engine, and every engine that can load it searching that very graph: the built engine
/// itself, NativeHnsw through <see cref="HnswIndex.ImportHnswlib"/> / <see cref="HnswIndex.ImportFaiss"/> or as the
/// builder, hnswlib loading an hnswlib file and FAISS a FAISS file (the builder's own save, or our export of the same
/// links). Search speed is then compared without the differences of graph construction.
/// </summary>
/// <remarks>USearch cannot take part: its C API and its C# wrapper only add vectors (USearch builds its own links), and
/// its file is its own format, which nothing here writes.</remarks>
public sealed class SameGraph : IDisposable
{
    /// <summary>The engines that can build the shared graph, and the only ones that can search it.</summary>
    public static readonly IReadOnlyList<string> Engines = [EngineNames.NativeHnsw, EngineNames.Faiss, EngineNames.Hnswlib];

    public const string UsearchReason =
        "USearch cannot search a foreign graph: its C API and C# wrapper add vectors and build their own links, and its index file is its own format";

    public const string QuantizedReason =
        "a same-graph run walks one float32 graph; the quantized walks keep codes made as vectors are added, which an imported graph has none of";

    private readonly Dictionary<string, IVectorEngine> _engines;

    private SameGraph(string source, double buildSeconds, int threads, Dictionary<string, IVectorEngine> engines, string description)
    {
        Source = source;
        BuildSeconds = buildSeconds;
        Threads = threads;
        _engines = engines;
        Description = description;
    }

    /// <summary>The engine that built the graph.</summary>
    public string Source { get; }

    public double BuildSeconds { get; }

    public int Threads { get; }

    /// <summary>One line for the report: who built the graph and how each engine got it.</summary>
    public string Description { get; }

    /// <summary>Names of the engines over the graph that are still held here (not yet taken).</summary>
    public IEnumerable<string> Names => _engines.Keys;

    /// <summary>
    /// Builds the graph in <paramref name="source"/> (labels = row numbers) with <paramref name="threads"/> threads,
    /// writes it as an hnswlib and a FAISS file under <paramref name="workDirectory"/>, and loads it into each of
    /// <paramref name="engines"/> (a subset of <see cref="Engines"/> that includes the source).
    /// </summary>
    /// <exception cref="BenchInputException">An engine is not one that can search a shared graph, or the source is not among them.</exception>
    public static SameGraph Create(string source, IReadOnlyCollection<string> engines, HnswOptions options, float[] data, int threads, string workDirectory,
        Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(engines);
        ArgumentNullException.ThrowIfNull(data);
        if (!Engines.Contains(source))
            throw new BenchInputException($"--same-graph {source}: the graph can be built by {string.Join(", ", Engines)} only.");
        var unknown = engines.Where(e => !Engines.Contains(e)).ToArray();
        if (unknown.Length > 0)
            throw new BenchInputException($"a shared graph is searched by {string.Join(", ", Engines)} only, not {string.Join(", ", unknown)}.");
        if (!engines.Contains(source))
            throw new BenchInputException($"--same-graph {source}: {source} must be among --engines.");

        string hnswlibFile = Path.Combine(workDirectory, "same-graph.hnswlib");
        string faissFile = Path.Combine(workDirectory, "same-graph.faiss");
        var held = new Dictionary<string, IVectorEngine>();
        HnswIndexEngine? unlisted = null; // ours when only the foreign engines are compared: it still writes the exports
        try
        {
            var builder = Factory(source).Create(options);
            held[source] = builder;
            var labels = NativeHnsw.Data.SyntheticVectors.RowLabels(data.Length / options.Dimensions);
            double seconds = SlicedBuild.Run(builder, labels, data, options.Dimensions, threads, progress ?? (_ => { }));

            // Ours comes first: it writes whichever foreign file the builder did not.
            HnswIndex ours;
            string howOurs;
            switch (source)
            {
                case EngineNames.NativeHnsw:
                    ours = ((HnswIndexEngine)builder).Index;
                    howOurs = "built it";
                    break;
                case EngineNames.Hnswlib:
                    builder.Save(hnswlibFile);
                    ours = HnswIndex.ImportHnswlib(hnswlibFile, options.Metric, options.DefaultEf, options.Dimensions);
                    howOurs = "imported hnswlib's saveIndex file";
                    break;
                default:
                    builder.Save(faissFile);
                    ours = HnswIndex.ImportFaiss(faissFile, options.Metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null);
                    howOurs = "imported FAISS's write_index file";
                    break;
            }
            if (source != EngineNames.NativeHnsw)
            {
                var imported = new HnswIndexEngine(ours);
                if (engines.Contains(EngineNames.NativeHnsw))
                    held[EngineNames.NativeHnsw] = imported;
                else
                    unlisted = imported;
            }
            var parts = new List<string> { F($"{EngineNames.NativeHnsw} {howOurs}") };
            if (source != EngineNames.Hnswlib && engines.Contains(EngineNames.Hnswlib))
            {
                ExportIfMissing(ours, hnswlibFile, faiss: false);
                held[EngineNames.Hnswlib] = HnswlibEngine.Load(hnswlibFile, options);
                parts.Add(source == EngineNames.NativeHnsw ? "hnswlib loaded our hnswlib export" : "hnswlib loaded our hnswlib export of the imported graph");
            }
            if (source != EngineNames.Faiss && engines.Contains(EngineNames.Faiss))
            {
                ExportIfMissing(ours, faissFile, faiss: true);
                held[EngineNames.Faiss] = FaissEngine.Load(faissFile, options);
                parts.Add(source == EngineNames.NativeHnsw ? "FAISS loaded our FAISS export" : "FAISS loaded our FAISS export of the imported graph");
            }
            string description = F($"same graph: built once by {source} ({data.Length / options.Dimensions:N0} vectors, M={options.M}, ef_construction={options.EfConstruction}, {threads} threads, {seconds:F2} s); ")
                + string.Join("; ", parts) + ". Every engine walks the same links from the same entry point.";
            var graph = new SameGraph(source, seconds, threads, held, description);
            held = [];
            return graph;
        }
        finally
        {
            unlisted?.Dispose();
            foreach (var engine in held.Values)
                engine.Dispose();
        }
    }

    /// <summary>Hands the engine over to the caller (who disposes it); null when it is not held.</summary>
    public IVectorEngine? Take(string name) => _engines.Remove(name, out var engine) ? engine : null;

    public void Dispose()
    {
        foreach (var engine in _engines.Values)
            engine.Dispose();
        _engines.Clear();
    }

    private static void ExportIfMissing(HnswIndex index, string path, bool faiss)
    {
        if (File.Exists(path))
            return;
        if (faiss)
            index.ExportFaiss(path);
        else
            index.ExportHnswlib(path);
    }

    private static VectorEngineFactory Factory(string name) => name switch
    {
        EngineNames.NativeHnsw => VectorEngineFactory.NativeHnsw,
        EngineNames.Faiss => VectorEngineFactory.Faiss,
        _ => VectorEngineFactory.Hnswlib,
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

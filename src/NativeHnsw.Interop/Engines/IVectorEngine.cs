namespace NativeHnsw.Interop;

/// <summary>
/// One HNSW engine (ours, FAISS, hnswlib, USearch) behind the operations a comparison needs, so the harness and the
/// tests treat them alike. Create engines with <see cref="VectorEngineFactory"/> (or each engine's static <c>Create</c>/<c>Load</c>),
/// all from the same <see cref="HnswOptions"/>.
/// </summary>
/// <remarks>
/// <para>Distances follow <see cref="DistanceMetric"/> for every engine, smaller is closer: L2 is the squared distance,
/// InnerProduct is 1 − a·b, Cosine is 1 − cos(a, b). Engines without a native cosine (FAISS, hnswlib) get normalised
/// copies of the vectors and queries and run inner product; FAISS's similarity s is reported as 1 − s.</para>
/// <para>Threading: <see cref="AddBatch"/> and <see cref="Search(ReadOnlySpan{float}, Span{SearchResult}, int)"/> may run concurrently. The native engines keep ef
/// in the index, not per query (neither FAISS 1.7.3's C API, hnswlib 0.6.2 nor USearch 2.26's C API takes it per call), so concurrent searches
/// must use the same ef; a search racing a different ef still returns valid hits, just at the other ef.
/// Dispose may race anything: native memory is freed only after the last operation in flight ends.</para>
/// </remarks>
public interface IVectorEngine : IDisposable
{
    /// <summary>"NativeHnsw", "FAISS", "hnswlib", "USearch" (with "-f16" / "-i8" for its quantised storage) or "USearch-wrapper".</summary>
    string Name { get; }

    int Dimensions { get; }

    DistanceMetric Metric { get; }

    /// <summary>Vectors the index holds.</summary>
    long Count { get; }

    /// <summary>Bytes of memory the index holds for vectors, links and labels; null when the engine cannot tell
    /// (a real FAISS libfaiss_c.so without NativeHnsw's extensions).</summary>
    long? MemoryBytes { get; }

    /// <summary>Bytes of <see cref="MemoryBytes"/> a search reads while it walks the graph. The peers keep links,
    /// vectors and labels side by side and read them all, so this is their <see cref="MemoryBytes"/>; ours leaves out
    /// labels and, when quantized, the float32 rows used only to re-rank (<see cref="HnswIndex.SearchMemoryBytes"/>).</summary>
    long? SearchMemoryBytes => MemoryBytes;

    /// <summary>Whether <see cref="Save"/> and the factory's Load work for this engine.</summary>
    bool SupportsPersistence { get; }

    /// <summary>
    /// Adds <c>labels.Length</c> vectors, row-major in <paramref name="vectors"/>. <paramref name="maxDegreeOfParallelism"/>
    /// caps the build threads (−1: all cores), so a one-thread build can be measured against an all-cores one.
    /// </summary>
    void AddBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism = -1);

    /// <summary>
    /// Writes the <c>destination.Length</c> (k) nearest hits, closest first, and returns how many were written (fewer
    /// than k when the index holds fewer). <paramref name="ef"/> ≤ 0 means <see cref="HnswOptions.DefaultEf"/>;
    /// every engine searches with max(ef, k).
    /// </summary>
    int Search(ReadOnlySpan<float> query, Span<SearchResult> destination, int ef = 0);

    /// <summary>Writes the index to <paramref name="path"/> in the engine's own file format.</summary>
    /// <exception cref="NotSupportedException">When <see cref="SupportsPersistence"/> is false.</exception>
    void Save(string path);
}

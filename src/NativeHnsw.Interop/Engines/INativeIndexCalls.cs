namespace NativeHnsw.Interop;

/// <summary>
/// What differs between the native libraries that take a batch of rows and answer one query into buffers (FAISS,
/// hnswlib): the two library calls. Everything around them (checks, cosine copies, the lease, the per-thread buffers,
/// the results) is <see cref="NativeIndexOperations"/>'s, once for both.
/// </summary>
internal unsafe interface INativeIndexCalls
{
    int Dimensions { get; }

    DistanceMetric Metric { get; }

    int DefaultEf { get; }

    /// <summary>Adds <paramref name="count"/> rows (unit length under cosine) with their labels; <paramref name="threads"/> 0 is the library's default.</summary>
    void AddRows(nint index, int count, float* rows, long* labels, int threads);

    /// <summary>
    /// Searches one query (unit length under cosine) at <paramref name="ef"/> for <paramref name="k"/> hits, closest
    /// first; returns how many it wrote, with distances already in <see cref="DistanceMetric"/>'s terms.
    /// </summary>
    int SearchOne(nint index, int ef, float* query, int k, float* distances, long* labels);
}

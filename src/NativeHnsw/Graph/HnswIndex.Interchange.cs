using NativeHnsw.Graph;
using NativeHnsw.Interchange;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>
    /// Reads an hnswlib <c>saveIndex</c> file (hnswlib 0.6.x, any M, float vectors) into a new in-memory index, link
    /// for link: nothing is rebuilt, and searched at the same ef it walks the graph the way hnswlib does (docs/IMPORT.md).
    /// hnswlib's file records neither the space nor ef: <paramref name="metric"/> says which space it was built in
    /// (<see cref="DistanceMetric.Cosine"/> for the Python binding's <c>'cosine'</c>, whose stored rows are unit length;
    /// a C++ inner-product file with raw rows imports as <see cref="DistanceMetric.InnerProduct"/>).
    /// </summary>
    /// <param name="path">The hnswlib file.</param>
    /// <param name="metric">The space the file was built in.</param>
    /// <param name="defaultEf">The search ef when a caller passes none (hnswlib itself starts a loaded index at 10).</param>
    /// <param name="dimensions">When positive, the dimension the file must have (hnswlib's loader takes it from the space).</param>
    /// <exception cref="IndexFormatException">The file is not a well-formed hnswlib index; the message names the field and its offset.</exception>
    /// <exception cref="IndexTooLargeException">The index would not fit in the memory the process may use.</exception>
    public static HnswIndex ImportHnswlib(string path, DistanceMetric metric, int defaultEf = 64, int dimensions = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        if (defaultEf is < 1 or > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(defaultEf), defaultEf, "defaultEf must be between 1 and 65536.");
        return HnswlibReader.Read(path, metric, defaultEf, dimensions);
    }

    /// <summary>
    /// Writes the index as an hnswlib <c>saveIndex</c> file, atomically, that hnswlib 0.6.x loads with <c>loadIndex</c>
    /// (space: L2 for <see cref="DistanceMetric.L2"/>, inner product otherwise; under cosine the rows are unit length and
    /// queries must be normalised, as the Python binding's <c>'cosine'</c> space does). Deleted and superseded nodes
    /// carry hnswlib's delete mark.
    /// </summary>
    public void ExportHnswlib(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Export(graph => HnswlibWriter.Write(path, graph));
    }

    /// <summary>
    /// Reads a FAISS <c>write_index</c> file holding an IndexHNSWFlat (IHNf over IxF2 or IxFI), bare or inside an
    /// IndexIDMap / IndexIDMap2 whose ids become the labels (bare: labels are FAISS's sequential ids), into a new
    /// in-memory index link for link; FAISS's efSearch becomes <see cref="HnswOptions.DefaultEf"/>.
    /// </summary>
    /// <param name="path">The FAISS file.</param>
    /// <param name="metric">Null: the file's (L2 or inner product). <see cref="DistanceMetric.Cosine"/> for an inner-product
    /// index over unit-length rows (FAISS cannot tell); a metric the file's does not serve throws <see cref="ArgumentException"/>.</param>
    /// <exception cref="IndexFormatException">The file is not a well-formed FAISS IndexHNSWFlat; the message names the field and its offset.</exception>
    /// <exception cref="IndexTooLargeException">The index would not fit in the memory the process may use.</exception>
    public static HnswIndex ImportFaiss(string path, DistanceMetric? metric = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (metric is { } value && !Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        return FaissReader.Read(path, metric);
    }

    /// <summary>
    /// Writes the index as a FAISS <c>write_index</c> file, atomically, that FAISS 1.7.x reads with <c>read_index</c>:
    /// an IndexIDMap with our labels as ids around an IndexHNSWFlat (METRIC_L2 for L2, METRIC_INNER_PRODUCT otherwise;
    /// under cosine the rows are unit length and FAISS's callers must normalise their queries), efSearch = DefaultEf.
    /// </summary>
    /// <exception cref="NotSupportedException">The index holds deleted or superseded nodes: FAISS has no delete marks.</exception>
    public void ExportFaiss(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Export(graph => FaissWriter.Write(path, graph));
    }

    /// <summary>
    /// Tells from its first bytes whether <paramref name="path"/> is an hnswlib or a FAISS index file (null: neither, or
    /// one of ours, or unreadable). A quick look for tools; only an import checks the whole file.
    /// </summary>
    public static ForeignFileKind? IdentifyForeignFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ForeignProbe.Identify(path);
    }

    /// <summary>An index over blocks an importer filled; the label index names the node of every label, sorted by label.</summary>
    internal static HnswIndex FromImported(HnswOptions options, NativeGraphStorage storage, int count, long upperUsed, long entry,
        int hiddenCount, int deletedCount, ReadOnlySpan<int> labelIndex)
    {
        try
        {
            var index = new HnswIndex(Validated(options), storage)
            {
                _count = count,
                _upperUsed = upperUsed,
                _entry = entry,
                _hiddenCount = hiddenCount,
                _deletedCount = deletedCount,
            };
            int bad = storage.MapLabels(labelIndex, count);
            System.Diagnostics.Debug.Assert(bad < 0, "an importer validates the graph and its label index before it builds the index");
            return index;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>Checks the graph against every rule our files keep (what Load checks); for tests of the importers.</summary>
    internal void CheckInvariants()
    {
        Export(graph =>
        {
            var labelIndex = graph.Storage.SortedLabelIndex();
            long entry = graph.EntryNode < 0 ? -1 : PackEntry(graph.EntryNode, graph.EntryLevel);
            // The dense form of the file's checks: the blocks hold dense offsets and the label index is passed in.
            var header = IndexFiles.IndexHeader.ForIndex(_options, graph.NodeCount, labelIndex.Length, _deletedCount, graph.HiddenCount, graph.UpperUsed, entry,
                graph.Storage.SparseUpperOffsets(graph.NodeCount).Length / 2, labelsAscend: false);
            IndexFiles.GraphValidator.Check("(imported)", header, graph.Storage, labelIndex);
        });
    }

    /// <summary>Runs an exporter over a point-in-time view, holding the lock a save holds (searches go on; changes wait).</summary>
    private void Export(Action<ExportedGraph> write)
    {
        _growLock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            RunDeferredCheck();
            long entry = Volatile.Read(ref _entry);
            write(new ExportedGraph(_storage, _options, _count, _upperUsed, entry < 0 ? -1 : EntryNode(entry), entry < 0 ? -1 : EntryLevel(entry), _hiddenCount));
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }
}

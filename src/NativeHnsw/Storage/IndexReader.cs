using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// Reads a whole index file into native memory: header checked, the memory it needs checked
/// against what the process may use, every section read straight into its block and hashed on the
/// way (vector rows checked in the same pass), every padding byte checked zero, the graph's
/// invariants and the compact rows checked, on every core (<see cref="ParallelLoad"/>). Nothing
/// damaged gets past it: the result is safe to modify.
/// </summary>
/// <remarks>
/// The loops here run once per load, so tiered JIT would run them as unoptimised tier-0 code: measured on
/// 10k × 128, a load took 8–30 ms until promoted and 1.3 ms fully optimised. The hot methods of load,
/// save and validation are therefore compiled optimised from the first call (AggressiveOptimization).
/// </remarks>
internal static class IndexReader
{
    public static LoadedIndex Read(string path, bool buildsLabelMap, LoadCheck check = LoadCheck.Full)
    {
        using var stream = IndexFile.OpenRead(path);
        var handle = stream.SafeFileHandle;
        var header = IndexHeader.Read(handle, path);
        // Only a file damaged with valid checksums can start like identity labels without being them; it is read again
        // the ordinary way, which then reports what is wrong with it.
        return TryRead(handle, path, header, buildsLabelMap, IdentityLabelsLikely(handle, path, header), check)
            ?? TryRead(handle, path, header, buildsLabelMap, identityLabels: false, check)!;
    }

    /// <summary>
    /// True when the file's labels look like the node ids 0, 1, …, N − 1: an implicit label index (labels ascend, which
    /// the load checks), every node indexed (none superseded), and the first label 0 and the last N − 1. Strictly
    /// ascending labels with those ends can only be the ids, so the load keeps no label block for them.
    /// </summary>
    private static bool IdentityLabelsLikely(SafeFileHandle handle, string path, IndexHeader header)
    {
        int n = header.NodeCount;
        if (!header.ImplicitLabelIndex || n == 0 || header.LabelCount != n)
            return false;
        var labels = header.Section(SectionId.Labels);
        Span<long> ends = stackalloc long[2];
        IndexFile.ReadExactly(handle, MemoryMarshal.AsBytes(ends[..1]), labels.Offset, path, labels.Name);
        IndexFile.ReadExactly(handle, MemoryMarshal.AsBytes(ends[1..]), labels.Offset + (long)(n - 1) * sizeof(long), path, labels.Name);
        return ends[0] == 0 && ends[1] == n - 1;
    }

    /// <summary>The load; null when <paramref name="identityLabels"/> was assumed and the labels turned out not to be the ids.</summary>
    private static LoadedIndex? TryRead(SafeFileHandle handle, string path, IndexHeader header, bool buildsLabelMap, bool identityLabels, LoadCheck check)
    {
        // Identity labels: exactly N nodes, so the first add grows (and writes the labels out) before it writes a node.
        int nodeCapacity = identityLabels ? header.NodeCount : Math.Max(header.NodeCount, 16);
        long upperCapacity = Math.Max(header.UpperUsed, 64);
        long required = RequiredBytes(header, nodeCapacity, upperCapacity, buildsLabelMap);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (required > available)
            throw new IndexTooLargeException(path, required, available);
        NativeGraphStorage storage;
        int[]? labelIndex;
        try
        {
            storage = identityLabels
                ? NativeGraphStorage.AllocateWithIdentityLabels(header.Options, nodeCapacity, upperCapacity)
                : NativeGraphStorage.Allocate(header.Options, nodeCapacity, upperCapacity);
        }
        catch (OutOfMemoryException e)
        {
            throw new IndexTooLargeException(path, required, -1, e);
        }
        try
        {
            try
            {
                // An implicit label index (labels ascend with node id, the validator checks it) is no array at all.
                labelIndex = header.ImplicitLabelIndex ? null : GC.AllocateUninitializedArray<int>(header.LabelCount);
            }
            catch (OutOfMemoryException e)
            {
                throw new IndexTooLargeException(path, required, -1, e);
            }
            var result = ParallelLoad.Run(handle, path, header, storage, labelIndex, check);
            if (result is not var (summary, quantizer))
            {
                storage.Dispose();
                return null;
            }
            return new LoadedIndex(header, storage, labelIndex, summary, quantizer);
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Memory a load takes, from the header alone: the blocks, the label index, the validator's level
    /// per node and (for Load) the label map. Checked against what the process may use before any of
    /// it is allocated, so a file too large to load is refused at once with a message, never with an
    /// <see cref="OutOfMemoryException"/> after minutes of reading.
    /// </summary>
    private static long RequiredBytes(IndexHeader header, int nodeCapacity, long upperCapacity, bool buildsLabelMap)
    {
        var o = header.Options;
        long perNode = (long)o.Dimensions * sizeof(float) + (1 + 2L * o.M) * sizeof(int) + sizeof(long) + sizeof(byte) + sizeof(int) + CompactLayout.StrideOf(o);
        // An explicit label index is an int per label, and Load maps it: a Dictionary<long, int> entry is 24 bytes
        // (hash, next, key, value, padded) plus a 4-byte bucket. An implicit one needs neither (binary search).
        long perLabel = header.ImplicitLabelIndex ? 0 : sizeof(int) + (buildsLabelMap ? 28 : 0);
        return nodeCapacity * perNode + upperCapacity * sizeof(int) + header.LabelCount * perLabel + header.NodeCount;
    }
}

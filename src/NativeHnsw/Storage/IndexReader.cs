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
    public static LoadedIndex Read(string path, bool buildsLabelMap)
    {
        using var stream = IndexFile.OpenRead(path);
        var handle = stream.SafeFileHandle;
        var header = IndexHeader.Read(handle, path);
        int nodeCapacity = Math.Max(header.NodeCount, 16);
        long upperCapacity = Math.Max(header.UpperUsed, 64);
        long required = RequiredBytes(header, nodeCapacity, upperCapacity, buildsLabelMap);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (required > available)
            throw new IndexTooLargeException(path, required, available);
        NativeGraphStorage storage;
        int[]? labelIndex;
        try
        {
            storage = NativeGraphStorage.Allocate(header.Options, nodeCapacity, upperCapacity);
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
            var (summary, quantizer) = ParallelLoad.Run(handle, path, header, storage, labelIndex);
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

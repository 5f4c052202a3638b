using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// Reads a whole index file into native memory: header checked, the memory it needs checked
/// against what the process may use, every section read straight into its block and hashed on the
/// way (vector rows checked in the same pass), every padding byte checked zero, then the graph's
/// invariants checked. Nothing damaged gets past it: the result is safe to modify.
/// </summary>
/// <remarks>
/// The loops here run once per load, so tiered JIT would run them as unoptimised tier-0 code: measured on
/// 10k × 128, a load took 8–30 ms until promoted and 1.3 ms fully optimised. The hot methods of load,
/// save and validation are therefore compiled optimised from the first call (AggressiveOptimization).
/// </remarks>
internal static class IndexReader
{
    /// <summary>Vector bytes hashed and checked together: small enough to stay in L2 between the two.</summary>
    private const int PieceBytes = 64 << 10;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        int[] labelIndex;
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
                // An implicit label index: labels ascend with node id (the validator checks it), so node i is entry i.
                labelIndex = header.ImplicitLabelIndex ? GraphStorage.IdentityIndex(header.LabelCount) : GC.AllocateUninitializedArray<int>(header.LabelCount, pinned: true);
            }
            catch (OutOfMemoryException e)
            {
                throw new IndexTooLargeException(path, required, -1, e);
            }
            long position = header.Size;
            byte[]? scratch = null;
            Int8Quantizer? quantizer = null;
            foreach (var section in header.Sections)
            {
                CheckPadding(handle, path, position, section);
                // The label index goes to the array the label map is built from, the graph sections to
                // their blocks; a section a later minor version added is checked for damage, then ignored.
                if (section.Id == SectionId.Vectors)
                    ReadVectors(handle, path, section, header.Options, storage);
                else if (section.Id == SectionId.Quantizer)
                    quantizer = ReadQuantizer(handle, path, section, header.Options.Dimensions);
                else if (section.Id == SectionId.UpperIndex)
                    ReadUpperIndex(handle, path, section, header, storage);
                else if (section.Id == SectionId.LabelIndex || storage.Holds(section.Id))
                    ReadSection(handle, path, section, storage, labelIndex);
                else
                    CheckUnknown(handle, path, section, scratch ??= new byte[IndexFile.ChunkBytes]);
                position = section.End;
            }
            var summary = GraphValidator.Check(path, header, storage, labelIndex);
            if (quantizer is not null)
                CheckInt8Rows(path, header, storage, quantizer);
            if (header.Options.Quantization == VectorQuantization.Float16)
                CheckFloat16Rows(path, header, storage);
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
        // A Dictionary<long, int> entry is 24 bytes (hash, next, key, value, padded) plus a 4-byte bucket.
        long perLabel = sizeof(int) + (buildsLabelMap ? 28 : 0);
        return nodeCapacity * perNode + upperCapacity * sizeof(int) + header.LabelCount * perLabel + header.NodeCount;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadSection(SafeFileHandle handle, string path, SectionEntry section, NativeGraphStorage storage, int[] labelIndex)
    {
        var hash = new XxHash3();
        for (long done = 0; done < section.Length;)
        {
            // Chunks are whole ints (the chunk size and the label index's length are multiples of four).
            int n = (int)Math.Min(IndexFile.ChunkBytes, section.Length - done);
            var span = section.Id == SectionId.LabelIndex
                ? MemoryMarshal.AsBytes(labelIndex.AsSpan((int)(done / sizeof(int)), n / sizeof(int)))
                : storage.WritableBytes(section.Id, done, n);
            IndexFile.ReadExactly(handle, span, section.Offset + done, path, section.Name);
            hash.Append(span);
            done += n;
        }
        CheckHash(path, section, hash.GetCurrentHashAsUInt64());
    }

    /// <summary>
    /// The sparse upper offsets (1.2) spread into the dense per-node offsets an in-memory index keeps: every node −1,
    /// then each listed node its offset. The ids must ascend strictly inside 0..N − 1, which makes the dense form
    /// say exactly what the sparse one does; the validator then checks the records as for any file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ReadUpperIndex(SafeFileHandle handle, string path, SectionEntry section, IndexHeader header, NativeGraphStorage storage)
    {
        int count = header.UpperNodeCount;
        var index = GC.AllocateUninitializedArray<int>(2 * count);
        var bytes = MemoryMarshal.AsBytes(index.AsSpan());
        IndexFile.ReadExactly(handle, bytes, section.Offset, path, section.Name);
        CheckHash(path, section, XxHash3.HashToUInt64(bytes));
        int* offsets = storage.UpperOffsets;
        new Span<int>(offsets, header.NodeCount).Fill(-1);
        for (int i = 0; i < count; i++)
        {
            int node = index[i];
            if ((uint)node >= (uint)header.NodeCount || (i > 0 && node <= index[i - 1]))
                throw new IndexFormatException(path, section.Name, section.Offset + (long)i * sizeof(int),
                    $"entry {i} names node {node}: the ids must ascend strictly within 0..{header.NodeCount - 1}");
            int offset = index[count + i];
            if (offset < 0)
                throw new IndexFormatException(path, section.Name, section.Offset + (long)(count + i) * sizeof(int),
                    $"node {node}'s upper-level offset is {offset}; a listed node has a record in the pool");
            offsets[node] = offset;
        }
    }

    /// <summary>
    /// The vectors, hashed and checked row by row (finite; unit length under cosine) in one pass: each piece of
    /// whole rows is hashed and checked while it is in cache, so the check costs no second trip through memory.
    /// A bad row is reported only after the checksum matched, so damage still reads as a checksum mismatch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadVectors(SafeFileHandle handle, string path, SectionEntry section, HnswOptions options, NativeGraphStorage storage)
    {
        int dims = options.Dimensions;
        bool cosine = options.Metric == DistanceMetric.Cosine;
        int rowBytes = dims * sizeof(float);
        int rowsPerPiece = Math.Max(1, PieceBytes / rowBytes);
        long pieceBytes = (long)rowsPerPiece * rowBytes;
        long chunkBytes = Math.Max(1, IndexFile.ChunkBytes / pieceBytes) * pieceBytes;
        var hash = new XxHash3();
        long badNode = -1;
        for (long done = 0; done < section.Length;)
        {
            int n = (int)Math.Min(chunkBytes, section.Length - done);
            var chunk = storage.WritableBytes(SectionId.Vectors, done, n);
            IndexFile.ReadExactly(handle, chunk, section.Offset + done, path, section.Name);
            for (int at = 0; at < n; at += (int)pieceBytes)
            {
                var piece = chunk.Slice(at, (int)Math.Min(pieceBytes, n - at));
                hash.Append(piece);
                if (badNode < 0 && GraphValidator.FirstBadRow(MemoryMarshal.Cast<byte, float>(piece), dims, cosine) is int bad and >= 0)
                    badNode = (done + at) / rowBytes + bad;
            }
            done += n;
        }
        CheckHash(path, section, hash.GetCurrentHashAsUInt64());
        if (badNode >= 0)
            throw GraphValidator.BadRow(path, section, (int)badNode, storage.Vector((int)badNode));
    }

    private static Int8Quantizer ReadQuantizer(SafeFileHandle handle, string path, SectionEntry section, int dimensions)
    {
        var bytes = new byte[section.Length];
        IndexFile.ReadExactly(handle, bytes, section.Offset, path, section.Name);
        CheckHash(path, section, XxHash3.HashToUInt64(bytes));
        try
        {
            return Int8Quantizer.ReadParameters(bytes, dimensions);
        }
        catch (ArgumentException e)
        {
            throw new IndexFormatException(path, section.Name, section.Offset, e.Message, e);
        }
    }

    /// <summary>
    /// Every int8 row must be exactly the encoding of its node's float32 row (FORMAT.md): that is how they
    /// were written, and it is what makes the compact walk and the re-ranking agree.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckInt8Rows(string path, IndexHeader header, NativeGraphStorage storage, Int8Quantizer quantizer)
    {
        var expected = new byte[quantizer.RowBytes];
        var section = header.Section(SectionId.Int8Vectors);
        for (int node = 0; node < header.NodeCount; node++)
        {
            quantizer.Encode(storage.Vector(node), expected);
            var stored = storage.Bytes(SectionId.Int8Vectors, (long)node * expected.Length, expected.Length);
            if (!stored.SequenceEqual(expected))
                throw new IndexFormatException(path, section.Name, section.Offset + (long)node * expected.Length,
                    $"the int8 row of node {node} is not the encoding of its float32 vector");
        }
    }

    /// <summary>Every float16 row must be exactly the encoding of its node's float32 row (FORMAT.md).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckFloat16Rows(string path, IndexHeader header, NativeGraphStorage storage)
    {
        var expected = new byte[Float16Codec.StrideOf(header.Options.Dimensions)];
        var section = header.Section(SectionId.Float16Vectors);
        for (int node = 0; node < header.NodeCount; node++)
        {
            Float16Codec.Encode(storage.Vector(node), expected);
            if (!storage.Bytes(SectionId.Float16Vectors, (long)node * expected.Length, expected.Length).SequenceEqual(expected))
                throw new IndexFormatException(path, section.Name, section.Offset + (long)node * expected.Length,
                    $"the float16 row of node {node} is not the encoding of its float32 vector");
        }
    }

    private static void CheckUnknown(SafeFileHandle handle, string path, SectionEntry section, byte[] scratch)
    {
        var hash = new XxHash3();
        for (long done = 0; done < section.Length;)
        {
            int n = (int)Math.Min(scratch.Length, section.Length - done);
            IndexFile.ReadExactly(handle, scratch.AsSpan(0, n), section.Offset + done, path, section.Name);
            hash.Append(scratch.AsSpan(0, n));
            done += n;
        }
        CheckHash(path, section, hash.GetCurrentHashAsUInt64());
    }

    private static void CheckHash(string path, SectionEntry section, ulong actual)
    {
        if (actual != section.Checksum)
            throw new IndexFormatException(path, section.Name, section.Offset,
                $"checksum mismatch (expected {IndexFile.Hex(section.Checksum)}, found {IndexFile.Hex(actual)})");
    }

    /// <summary>The alignment gap before a section: under a page (the header checked that), and all zeros.</summary>
    private static void CheckPadding(SafeFileHandle handle, string path, long from, SectionEntry section)
    {
        int gap = (int)(section.Offset - from);
        if (gap <= 0)
            return;
        Span<byte> padding = stackalloc byte[gap];
        IndexFile.ReadExactly(handle, padding, from, path, section.Name);
        int bad = padding.IndexOfAnyExcept((byte)0);
        if (bad >= 0)
            throw new IndexFormatException(path, section.Name, from + bad, "the alignment padding before the section is not zero");
    }
}

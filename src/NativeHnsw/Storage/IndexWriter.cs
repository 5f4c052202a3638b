using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.Graph;
using NativeHnsw.IO;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// Writes an index file atomically through <see cref="DurableFile"/>: the bytes go to a temporary
/// file in the (link-resolved) target's folder, which is fsynced, renamed over the target, and the
/// folder fsynced. A crash at any instant leaves either the old file or the new one, whole. The caller guarantees the graph does not
/// change while it is written (HnswIndex holds its grow lock's write side).
/// </summary>
internal static class IndexWriter
{
    /// <param name="path">The target; see <see cref="DurableFile"/>.</param>
    /// <param name="layout">The header to write (checksums are filled in).</param>
    /// <param name="storage">The graph blocks.</param>
    /// <param name="labelIndex">Node ids sorted by label: an in-memory index derives it from its label map, a mapped one has it in its file. Unused when the layout leaves it implicit.</param>
    /// <param name="upperIndex">The sparse upper offsets (<see cref="Graph.GraphStorage.SparseUpperOffsets"/>).</param>
    /// <param name="quantizer">The trained int8 quantizer, written as the quantizer section when the layout has one.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(string path, IndexHeader layout, GraphStorage storage, ReadOnlySpan<int> labelIndex, ReadOnlySpan<int> upperIndex, Distance.Int8Quantizer? quantizer = null)
    {
        byte[] parameters = [];
        if (quantizer is not null)
        {
            parameters = new byte[quantizer.ParameterBytes];
            quantizer.WriteParameters(parameters);
        }
        using var replacement = DurableFile.BeginReplace(path, layout.FileLength);
        var handle = replacement.Handle;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(IndexFile.ChunkBytes);
        try
        {
            var sections = layout.Sections;
            var checksums = new ulong[sections.Length];
            for (int i = 0; i < sections.Length; i++)
            {
                var s = sections[i];
                long paddingStart = i == 0 ? s.Offset : sections[i - 1].End;
                WriteZeros(handle, paddingStart, s.Offset - paddingStart, buffer);
                if (s.Id switch
                {
                    SectionId.Quantizer => parameters.Length != s.Length,
                    SectionId.LabelIndex => labelIndex.Length * sizeof(int) != s.Length,
                    SectionId.UpperIndex => upperIndex.Length * sizeof(int) != s.Length,
                    SectionId.Labels => !storage.Holds(s.Id) && s.Length > (long)storage.NodeCapacity * sizeof(long),
                    _ => !storage.Holds(s.Id),
                })
                    throw new InvalidOperationException($"Nothing to write as section {s.Id}.");
                checksums[i] = s.Id switch
                {
                    SectionId.Links0 => WriteLinks0(handle, s, storage, buffer),
                    SectionId.Quantizer => WriteBytes(handle, s, parameters),
                    SectionId.LabelIndex => WriteInts(handle, s, labelIndex),
                    SectionId.UpperIndex => WriteInts(handle, s, upperIndex),
                    SectionId.Labels when !storage.Holds(s.Id) => WriteIdentityLabels(handle, s, buffer),
                    _ => WriteRaw(handle, s, storage),
                };
            }
            // The header goes last, now that the checksums are known; it and the padding up to the first section.
            var header = layout.WithChecksums(checksums);
            var head = new byte[sections[0].Offset];
            header.WriteTo(head);
            RandomAccess.Write(handle, head, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        replacement.Commit();
    }

    /// <summary>Straight from native memory to the file, chunk by chunk, hashing as it goes: no copy of ours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong WriteRaw(SafeFileHandle handle, SectionEntry section, GraphStorage storage)
    {
        var hash = new XxHash3();
        for (long done = 0; done < section.Length;)
        {
            int n = (int)Math.Min(IndexFile.ChunkBytes, section.Length - done);
            var span = storage.Bytes(section.Id, done, n);
            hash.Append(span);
            RandomAccess.Write(handle, span, section.Offset + done);
            done += n;
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>
    /// Level-0 records with the slots past each count zeroed: memory there was never written (or
    /// holds links pruned away), and the file must neither leak it nor depend on it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong WriteLinks0(SafeFileHandle handle, SectionEntry section, GraphStorage storage, byte[] buffer)
    {
        var hash = new XxHash3();
        int stride = storage.Level0Stride;
        int recordBytes = stride * sizeof(int);
        int perChunk = Math.Max(1, buffer.Length / recordBytes);
        long records = section.Length / recordBytes;
        for (long first = 0; first < records; first += perChunk)
        {
            int count = (int)Math.Min(perChunk, records - first);
            var chunk = buffer.AsSpan(0, count * recordBytes);
            storage.Bytes(SectionId.Links0, first * recordBytes, chunk.Length).CopyTo(chunk);
            var ints = MemoryMarshal.Cast<byte, int>(chunk);
            for (int r = 0; r < count; r++)
            {
                var record = ints.Slice(r * stride, stride);
                uint links = (uint)record[0];
                if (links <= (uint)storage.M0)
                    record[(1 + (int)links)..].Clear();
            }
            hash.Append(chunk);
            RandomAccess.Write(handle, chunk, section.Offset + first * recordBytes);
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The labels of blocks holding identity labels (none in memory): node i's label is i.</summary>
    private static ulong WriteIdentityLabels(SafeFileHandle handle, SectionEntry section, byte[] buffer)
    {
        var hash = new XxHash3();
        var labels = MemoryMarshal.Cast<byte, long>(buffer.AsSpan());
        for (long done = 0; done < section.Length;)
        {
            int n = (int)Math.Min(labels.Length, (section.Length - done) / sizeof(long));
            long first = done / sizeof(long);
            for (int i = 0; i < n; i++)
                labels[i] = first + i;
            var span = MemoryMarshal.AsBytes(labels[..n]);
            hash.Append(span);
            RandomAccess.Write(handle, span, section.Offset + done);
            done += span.Length;
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>A section held in a managed array (the label index, the sparse upper offsets), chunk by chunk.</summary>
    private static ulong WriteInts(SafeFileHandle handle, SectionEntry section, ReadOnlySpan<int> ints)
    {
        // In chunks of ints: the whole of a large label index is more bytes than one span can count.
        const int perChunk = IndexFile.ChunkBytes / sizeof(int);
        var hash = new XxHash3();
        for (int done = 0; done < ints.Length;)
        {
            int n = Math.Min(perChunk, ints.Length - done);
            var span = MemoryMarshal.AsBytes(ints.Slice(done, n));
            hash.Append(span);
            RandomAccess.Write(handle, span, section.Offset + (long)done * sizeof(int));
            done += n;
        }
        return hash.GetCurrentHashAsUInt64();
    }

    private static ulong WriteBytes(SafeFileHandle handle, SectionEntry section, byte[] bytes)
    {
        RandomAccess.Write(handle, bytes, section.Offset);
        return XxHash3.HashToUInt64(bytes);
    }

    private static void WriteZeros(SafeFileHandle handle, long offset, long length, byte[] buffer)
    {
        if (length <= 0)
            return;
        var zeros = buffer.AsSpan(0, (int)length);
        zeros.Clear();
        RandomAccess.Write(handle, zeros, offset);
    }
}

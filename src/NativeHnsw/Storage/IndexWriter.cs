using System.Runtime.CompilerServices;
using System.Buffers;
using System.IO.Hashing;
using NativeHnsw.Graph;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.IO;

namespace NativeHnsw.Storage;

/// <summary>
/// Writes an index file atomically through <see cref="DurableFile"/>: the bytes go to a temporary
/// file in the (link-resolved) target's folder, which is fsynced, renamed over the target, and the
/// folder fsynced. A crash at any instant leaves either the old file or the new one, whole. The caller guarantees the graph does not
/// change while it is written (HnswIndex holds its grow lock's write side).
/// </summary>
internal static unsafe class IndexWriter
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(string path, IndexHeader layout, GraphStorage storage, int* labelIndex)
    {
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
                checksums[i] = s.Id switch
                {
                    SectionId.Links0 => WriteLinks0(handle, s, storage, buffer),
                    SectionId.Vectors => WriteRaw(handle, s, (byte*)storage.Vectors),
                    SectionId.UpperLinks => WriteRaw(handle, s, (byte*)storage.UpperLinks),
                    SectionId.UpperOffsets => WriteRaw(handle, s, (byte*)storage.UpperOffsets),
                    SectionId.Labels => WriteRaw(handle, s, (byte*)storage.Labels),
                    SectionId.States => WriteRaw(handle, s, storage.States),
                    SectionId.LabelIndex => WriteRaw(handle, s, (byte*)labelIndex),
                    _ => throw new InvalidOperationException($"This version writes no section {s.Id}."),
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
    private static ulong WriteRaw(SafeFileHandle handle, SectionEntry section, byte* source)
    {
        var hash = new XxHash3();
        for (long done = 0; done < section.Length;)
        {
            int n = (int)Math.Min(IndexFile.ChunkBytes, section.Length - done);
            var span = new ReadOnlySpan<byte>(source + done, n);
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
            new ReadOnlySpan<byte>((byte*)(storage.Links0 + first * stride), chunk.Length).CopyTo(chunk);
            fixed (byte* b = chunk)
            {
                int* record = (int*)b;
                for (int r = 0; r < count; r++, record += stride)
                {
                    uint links = (uint)record[0];
                    if (links <= (uint)storage.M0)
                        new Span<int>(record + 1 + links, storage.M0 - (int)links).Clear();
                }
            }
            hash.Append(chunk);
            RandomAccess.Write(handle, chunk, section.Offset + first * recordBytes);
        }
        return hash.GetCurrentHashAsUInt64();
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

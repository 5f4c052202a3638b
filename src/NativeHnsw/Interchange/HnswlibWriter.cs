using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NativeHnsw.Graph;
using NativeHnsw.IO;
using static NativeHnsw.Interchange.HnswlibFormat;

namespace NativeHnsw.Interchange;

/// <summary>
/// Writes an index as an hnswlib <c>saveIndex</c> file (hnswlib 0.6.x loads it with <c>loadIndex</c>), link for link.
/// Deleted nodes carry hnswlib's delete mark; superseded ones (old vectors of a label added again) are written
/// marked deleted too, before the node that replaced them, so hnswlib's label lookup (the last element wins)
/// names the same node ours does.
/// </summary>
internal static unsafe class HnswlibWriter
{
    public static void Write(string path, in ExportedGraph source)
    {
        var graph = source;
        DurableFile.ReplaceAtomically(path, handle => WriteTo(new ForeignWriter(handle), graph));
    }

    private static void WriteTo(ForeignWriter w, ExportedGraph source)
    {
        var view = source.View;
        int n = source.NodeCount;
        int m = source.Options.M;
        int m0 = 2 * m;
        int dims = source.Options.Dimensions;
        ulong links0Bytes = (ulong)ListBytes(m0);
        ulong labelOffset = links0Bytes + (ulong)dims * sizeof(float);
        w.WriteUInt64(0);
        w.WriteUInt64((ulong)Math.Max(n, 1));
        w.WriteUInt64((ulong)n);
        w.WriteUInt64(labelOffset + sizeof(ulong));
        w.WriteUInt64(labelOffset);
        w.WriteUInt64(links0Bytes);
        w.WriteInt32(n == 0 ? -1 : source.EntryLevel);
        w.WriteUInt32(n == 0 ? uint.MaxValue : (uint)source.EntryNode);
        w.WriteUInt64((ulong)m);
        w.WriteUInt64((ulong)m0);
        w.WriteUInt64((ulong)m);
        w.WriteDouble(1 / Math.Log(m));
        w.WriteUInt64((ulong)Math.Max(source.Options.EfConstruction, m));

        for (int node = 0; node < n; node++)
        {
            var links = view.LinksOf(node, 0);
            var slot = w.Reserve((int)links0Bytes);
            slot.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)links.Length);
            if (view.State(node) != NodeState.Live)
                slot[2] = DeleteMark;
            MemoryMarshal.AsBytes(links).CopyTo(slot[sizeof(uint)..]);
            w.Write(new ReadOnlySpan<byte>(view.Vector(node), dims * sizeof(float)));
            w.WriteInt64(view.Label(node));
        }
        long perLevel = ListBytes(m);
        for (int node = 0; node < n; node++)
        {
            int level = Math.Max(0, view.Level(node));
            w.WriteUInt32((uint)(level * perLevel));
            for (int l = 1; l <= level; l++)
            {
                var links = view.LinksOf(node, l);
                var slot = w.Reserve((int)perLevel);
                slot.Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)links.Length);
                MemoryMarshal.AsBytes(links).CopyTo(slot[sizeof(uint)..]);
            }
        }
        w.Flush();
    }
}

using System.Runtime.InteropServices;
using NativeHnsw.Graph;
using NativeHnsw.IO;
using static NativeHnsw.Interchange.FaissFormat;

namespace NativeHnsw.Interchange;

/// <summary>
/// Writes an index as a FAISS <c>write_index</c> file that FAISS 1.7.x reads with <c>read_index</c>: an IndexIDMap
/// (IxMp, our labels as its ids) around an IndexHNSWFlat (IHNf) over an IndexFlatL2 (IxF2) or IndexFlatIP (IxFI),
/// link for link, levels plus one, the default ef as efSearch. FAISS has no delete marks, so deleted and superseded
/// nodes are left out and the links that ran through them rewired (<see cref="LiveGraph"/>).
/// </summary>
internal static unsafe class FaissWriter
{
    public static void Write(string path, in ExportedGraph source)
    {
        var live = new LiveGraph(source);
        var graph = source;
        DurableFile.ReplaceAtomically(path, handle => WriteTo(new ForeignWriter(handle), graph, live));
    }

    private static void WriteTo(ForeignWriter w, ExportedGraph source, LiveGraph live)
    {
        var view = source.View;
        var options = source.Options;
        int n = live.Count;
        int m = options.M;
        int dims = options.Dimensions;
        int metric = options.Metric == DistanceMetric.L2 ? MetricL2 : MetricInnerProduct;

        w.WriteUInt32(IdMap);
        WriteHeader(w, dims, n, metric);
        w.WriteUInt32(HnswFlat);
        WriteHeader(w, dims, n, metric);

        // assign_probas and cum_nneighbor_per_level as FAISS's set_default_probas(M, 1/ln M) makes them, extended
        // (with zero probability) when our level draw went higher than FAISS's table reaches.
        int top = live.EntryLevel;
        var probas = new List<double>();
        double levelMult = 1 / Math.Log(m);
        for (int level = 0; ; level++)
        {
            float proba = (float)(Math.Exp(-level / levelMult) * (1 - Math.Exp(-1 / levelMult)));
            if (proba < 1e-9f)
                break;
            probas.Add(proba);
        }
        while (probas.Count < top + 1)
            probas.Add(0);
        w.WriteUInt64((ulong)probas.Count);
        foreach (double p in probas)
            w.WriteDouble(p);
        var cum = new int[probas.Count + 1];
        for (int level = 0; level < probas.Count; level++)
            cum[level + 1] = cum[level] + (level == 0 ? 2 * m : m);
        w.WriteUInt64((ulong)cum.Length);
        foreach (int c in cum)
            w.WriteInt32(c);

        w.WriteUInt64((ulong)n);
        for (int node = 0; node < n; node++)
            w.WriteInt32(LevelOf(view, live, node) + 1);
        w.WriteUInt64((ulong)n + 1);
        ulong offset = 0;
        w.WriteUInt64(0);
        for (int node = 0; node < n; node++)
        {
            offset += (ulong)cum[LevelOf(view, live, node) + 1];
            w.WriteUInt64(offset);
        }
        w.WriteUInt64(offset);
        for (int node = 0; node < n; node++)
        {
            int levels = LevelOf(view, live, node);
            for (int level = 0; level <= levels; level++)
            {
                var slots = MemoryMarshal.Cast<byte, int>(w.Reserve((cum[level + 1] - cum[level]) * sizeof(int)));
                slots.Fill(-1);
                live.Links(node, level, slots);
            }
        }
        w.WriteInt32(n == 0 ? -1 : live.EntryNode);
        w.WriteInt32(n == 0 ? -1 : live.EntryLevel);
        w.WriteInt32(options.EfConstruction);
        w.WriteInt32(options.DefaultEf);
        w.WriteInt32(1);

        w.WriteUInt32(metric == MetricL2 ? FlatL2 : FlatIP);
        WriteHeader(w, dims, n, metric);
        w.WriteUInt64((ulong)n * (ulong)dims);
        for (int node = 0; node < n; node++)
            w.Write(new ReadOnlySpan<byte>(view.Vector(live.Original(node)), dims * sizeof(float)));

        w.WriteUInt64((ulong)n);
        for (int node = 0; node < n; node++)
            w.WriteInt64(view.Label(live.Original(node)));
        w.Flush();
    }

    private static int LevelOf(GraphView view, LiveGraph live, int node) => Math.Max(0, view.Level(live.Original(node)));

    private static void WriteHeader(ForeignWriter w, int dims, int n, int metric)
    {
        w.WriteInt32(dims);
        w.WriteInt64(n);
        w.WriteInt64(HeaderDummy);
        w.WriteInt64(HeaderDummy);
        w.WriteByte(1);
        w.WriteInt32(metric);
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using static NativeHnsw.Interchange.FaissFormat;

namespace NativeHnsw.Interchange;

/// <summary>
/// Reads a FAISS <c>write_index</c> file holding an IndexHNSWFlat (IHNf over IxF2 or IxFI), bare or inside an
/// IndexIDMap / IndexIDMap2 (whose id map gives the labels), into our blocks link for link. Levels are FAISS's
/// minus one; efSearch becomes the default ef. Every count is checked against the file before it sizes anything.
/// </summary>
internal static class FaissReader
{
    private const int ChunkBytes = 4 << 20;

    public static HnswIndex Read(string path, DistanceMetric? metric)
    {
        using var reader = new ForeignReader(path);
        long at = reader.Position;
        uint fourcc = reader.ReadUInt32("fourcc");
        if (fourcc == IdMap || fourcc == IdMap2)
        {
            var outer = ReadHeader(reader, Name(fourcc));
            long innerAt = reader.Position;
            uint inner = reader.ReadUInt32("fourcc");
            if (inner != HnswFlat)
                throw Unsupported(reader, inner, innerAt, $"nested in {Name(fourcc)}");
            return ReadHnswFlat(reader, metric, outer);
        }
        if (fourcc != HnswFlat)
            throw Unsupported(reader, fourcc, at, "at the top");
        return ReadHnswFlat(reader, metric, outer: null);
    }

    private static HnswIndex ReadHnswFlat(ForeignReader reader, DistanceMetric? requested, Header? outer)
    {
        var header = ReadHeader(reader, "IHNf");
        if (outer is { } o && (o.Dimensions != header.Dimensions || o.Count != header.Count || o.MetricType != header.MetricType))
            throw reader.BadField("IHNf header", header.At,
                $"(d {header.Dimensions}, ntotal {header.Count}, metric {header.MetricType}) differs from the id map's (d {o.Dimensions}, ntotal {o.Count}, metric {o.MetricType})");
        var metric = MetricOf(reader, header, requested);
        int n = header.Count;

        // HNSW: assign_probas (skipped: only new adds use them), cum_nneighbor_per_level, levels, offsets, neighbors.
        long probasAt = reader.Position;
        ulong probas = reader.ReadUInt64("assign_probas");
        if (probas > 1024)
            throw reader.BadField("assign_probas", probasAt, $"has {probas} levels, far more than an index can use");
        reader.Skip((long)probas * sizeof(double), "assign_probas");

        long cumAt = reader.Position;
        ulong cumLength = reader.ReadUInt64("cum_nneighbor_per_level");
        if (cumLength is < 2 or > HnswIndex.MaxLevel + 2)
            throw reader.BadField("cum_nneighbor_per_level", cumAt, $"has {cumLength} entries; an index has 1..{HnswIndex.MaxLevel + 1} levels, so 2..{HnswIndex.MaxLevel + 2}");
        var cum = new int[cumLength];
        for (int i = 0; i < cum.Length; i++)
            cum[i] = reader.ReadInt32("cum_nneighbor_per_level");
        int m0 = cum[1];
        int m = m0 / 2;
        if (cum[0] != 0 || m0 % 2 != 0 || m is < 2 or > HnswOptions.MaxM)
            throw reader.BadField("cum_nneighbor_per_level", cumAt + 8,
                $"starts {cum[0]}, {cum[1]}; it must start 0, 2·M with M between 2 and {HnswOptions.MaxM} (FAISS's set_default_probas)");
        for (int l = 1; l + 1 < cum.Length; l++)
        {
            if (cum[l + 1] - cum[l] != m)
                throw reader.BadField("cum_nneighbor_per_level", cumAt + 8 + 4L * (l + 1),
                    $"gives level {l} {cum[l + 1] - cum[l]} neighbors; our graph has M = {m} at every level above 0 (2·M at level 0)");
        }

        long levelsAt = reader.Position;
        ulong levelCount = reader.ReadUInt64("levels");
        if (levelCount != (ulong)n)
            throw reader.BadField("levels", levelsAt, $"has {levelCount} entries for ntotal {n}");
        reader.Require(4L * n, "levels");
        var levels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int level = reader.ReadInt32("levels");
            if (level < 1 || level >= cum.Length)
                throw reader.BadField("levels", levelsAt + 8 + 4L * i, $"gives node {i} level {level}; FAISS levels run 1..{cum.Length - 1} here");
            levels[i] = (byte)(level - 1);
        }

        long offsetsAt = reader.Position;
        ulong offsetCount = reader.ReadUInt64("offsets");
        if (offsetCount != (ulong)n + 1)
            throw reader.BadField("offsets", offsetsAt, $"has {offsetCount} entries; ntotal {n} needs {n + 1}");
        reader.Require(8L * (n + 1), "offsets");
        ulong expected = 0;
        for (int i = 0; i <= n; i++)
        {
            ulong offset = reader.ReadUInt64("offsets");
            if (offset != expected)
                throw reader.BadField("offsets", offsetsAt + 8 + 8L * i, $"entry {i} is {offset}; the levels before it give {expected}");
            if (i < n)
                expected += (ulong)cum[levels[i] + 1];
        }

        long neighborsAt = reader.Position;
        ulong neighborCount = reader.ReadUInt64("neighbors");
        if (neighborCount != expected)
            throw reader.BadField("neighbors", neighborsAt, $"has {neighborCount} entries; the offsets end at {expected}");
        reader.Require((long)neighborCount * sizeof(int), "neighbors");

        using var graph = new ImportedGraph(reader, header.Dimensions, m, metric, levels);
        var links = new int[m0];
        for (int node = 0; node < n; node++)
        {
            int top = levels[node];
            long nodeAt = reader.Position;
            var slots = MemoryMarshal.Cast<byte, int>(reader.Take(cum[top + 1] * sizeof(int), "neighbors"));
            for (int level = 0; level <= top; level++)
            {
                // A list ends at its first negative entry (FAISS pads with -1 and stops there when searching).
                var list = slots[cum[level]..cum[level + 1]];
                int count = list.IndexOfAnyInRange(int.MinValue, -1);
                if (count < 0)
                    count = list.Length;
                list[..count].CopyTo(links);
                graph.SetLinks(node, level, links.AsSpan(0, count), "neighbors", nodeAt + 4L * cum[level]);
            }
        }

        long entryAt = reader.Position;
        int entry = reader.ReadInt32("entry_point");
        int maxLevel = reader.ReadInt32("max_level");
        long efcAt = reader.Position;
        int efConstruction = reader.ReadInt32("efConstruction");
        long efsAt = reader.Position;
        int efSearch = reader.ReadInt32("efSearch");
        reader.ReadInt32("upper_beam");
        if (efConstruction is < 1 or > 1 << 16)
            throw reader.BadField("efConstruction", efcAt, $"is {efConstruction}, outside 1..65536");
        if (efSearch is < 1 or > 1 << 16)
            throw reader.BadField("efSearch", efsAt, $"is {efSearch}, outside 1..65536");

        // The storage: an IndexFlat of the same metric holding the vectors.
        long storageAt = reader.Position;
        uint storage = reader.ReadUInt32("storage fourcc");
        if (storage != FlatL2 && storage != FlatIP)
            throw Unsupported(reader, storage, storageAt, "as the HNSW's storage");
        var flat = ReadHeader(reader, Name(storage));
        if (flat.Dimensions != header.Dimensions || flat.Count != n || flat.MetricType != header.MetricType
            || (storage == FlatL2) != (header.MetricType == MetricL2))
            throw reader.BadField(Name(storage) + " header", flat.At,
                $"(d {flat.Dimensions}, ntotal {flat.Count}, metric {flat.MetricType}) does not match the HNSW's (d {header.Dimensions}, ntotal {n}, metric {header.MetricType})");
        long codesAt = reader.Position;
        ulong codes = reader.ReadUInt64("codes");
        ulong floats = (ulong)n * (ulong)header.Dimensions;
        if (codes != floats)
            throw reader.BadField("codes", codesAt, $"holds {codes} floats; ntotal {n} × d {header.Dimensions} needs {floats}");
        ReadVectors(reader, graph, n);

        if (outer is not null)
        {
            long mapAt = reader.Position;
            ulong mapped = reader.ReadUInt64("id_map");
            if (mapped != (ulong)n)
                throw reader.BadField("id_map", mapAt, $"has {mapped} ids for ntotal {n}");
            reader.Require(8L * n, "id_map");
            for (int node = 0; node < n; node++)
                graph.SetLabel(node, reader.ReadInt64("id_map"));
        }
        else
        {
            for (int node = 0; node < n; node++)
                graph.SetLabel(node, node);
        }
        reader.RequireEnd("index");

        var options = new HnswOptions
        {
            Dimensions = header.Dimensions,
            Metric = metric,
            M = m,
            EfConstruction = efConstruction,
            DefaultEf = efSearch,
            InitialCapacity = 0,
        };
        return graph.Finish(options, entry, maxLevel, "entry_point", entryAt);
    }

    private static void ReadVectors(ForeignReader reader, ImportedGraph graph, int n)
    {
        int rowBytes = graph.Dimensions * sizeof(float);
        int rowsPerChunk = Math.Max(1, ChunkBytes / rowBytes);
        long start = reader.Position;
        for (int first = 0; first < n; first += rowsPerChunk)
        {
            int rows = Math.Min(rowsPerChunk, n - first);
            reader.ReadInto(graph.VectorBytes(first, rows), "codes");
            graph.CheckRows(first, rows, "codes", node => start + (long)node * rowBytes);
        }
    }

    private static DistanceMetric MetricOf(ForeignReader reader, Header header, DistanceMetric? requested)
    {
        var stored = header.MetricType == MetricL2 ? DistanceMetric.L2 : DistanceMetric.InnerProduct;
        if (requested is null)
            return stored;
        var wanted = requested.Value;
        bool fits = stored == DistanceMetric.L2 ? wanted == DistanceMetric.L2 : wanted is DistanceMetric.InnerProduct or DistanceMetric.Cosine;
        if (!fits)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{reader.Path} holds a FAISS index of metric {(stored == DistanceMetric.L2 ? "L2" : "inner product")}; it cannot be imported as {wanted}."), nameof(requested));
        return wanted;
    }

    private static Header ReadHeader(ForeignReader reader, string owner)
    {
        long at = reader.Position;
        int d = reader.ReadInt32(owner + " d");
        long ntotal = reader.ReadInt64(owner + " ntotal");
        reader.ReadInt64(owner + " unused");
        reader.ReadInt64(owner + " unused");
        reader.ReadByte(owner + " is_trained");
        long metricAt = reader.Position;
        int metricType = reader.ReadInt32(owner + " metric_type");
        if (d is < 1 or > HnswOptions.MaxDimensions)
            throw reader.BadField(owner + " d", at, $"is {d}, outside 1..{HnswOptions.MaxDimensions}");
        if (ntotal < 0 || ntotal > HnswIndex.MaxNodes)
            throw reader.BadField(owner + " ntotal", at + 4, $"is {ntotal}, outside 0..{HnswIndex.MaxNodes}");
        // Every node takes at least its vector, level and offset: a count the file cannot hold is refused before it sizes anything.
        if (ntotal * (4L * d + 12) > reader.Length)
            throw reader.BadField(owner + " ntotal", at + 4, $"says {ntotal} vectors of {d} floats, more than the file's {reader.Length} bytes can hold");
        if (metricType is not (MetricL2 or MetricInnerProduct))
            throw reader.BadField(owner + " metric_type", metricAt, $"is {metricType}; only L2 (1) and inner product (0) map to our metrics");
        return new Header(at, d, (int)ntotal, metricType);
    }

    private static IndexFormatException Unsupported(ForeignReader reader, uint fourcc, long at, string where) =>
        reader.Fail("fourcc", at, string.Create(CultureInfo.InvariantCulture,
            $"FAISS index type '{Name(fourcc)}' (0x{fourcc:x8}, {Describe(fourcc)}) {where} cannot be imported: only IndexHNSWFlat (IHNf over IxF2 or IxFI), bare or in an IndexIDMap (IxMp, IxM2)"));

    private readonly record struct Header(long At, int Dimensions, int Count, int MetricType);
}

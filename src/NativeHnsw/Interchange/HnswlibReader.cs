using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using static NativeHnsw.Interchange.HnswlibFormat;

namespace NativeHnsw.Interchange;

/// <summary>
/// Reads an hnswlib <c>saveIndex</c> file into our blocks, link for link. Every header field is checked against
/// the others and against the file's length before anything is allocated (hnswlib's own loader trusts them:
/// its issue 673 is a heap overflow from a crafted header); every link, count and level is checked as it is copied.
/// </summary>
internal static class HnswlibReader
{
    private const int ChunkBytes = 4 << 20;

    public static HnswIndex Read(string path, DistanceMetric metric, int defaultEf, int expectedDimensions)
    {
        using var reader = new ForeignReader(path);
        reader.Require(HeaderSize, "header");
        ulong offsetLevel0 = reader.ReadUInt64("offsetLevel0");
        ulong maxElements = reader.ReadUInt64("max_elements");
        ulong count = reader.ReadUInt64("cur_element_count");
        ulong sizePer = reader.ReadUInt64("size_data_per_element");
        ulong labelOffset = reader.ReadUInt64("label_offset");
        ulong offsetData = reader.ReadUInt64("offsetData");
        int maxLevel = reader.ReadInt32("maxlevel");
        uint entryPoint = reader.ReadUInt32("enterpoint_node");
        ulong maxM = reader.ReadUInt64("maxM");
        ulong maxM0 = reader.ReadUInt64("maxM0");
        ulong m = reader.ReadUInt64("M");
        double mult = reader.ReadDouble("mult");
        ulong efConstruction = reader.ReadUInt64("ef_construction");

        if (offsetLevel0 != 0)
            throw reader.BadField("offsetLevel0", OffsetLevel0At, $"is {offsetLevel0}; hnswlib always writes 0");
        if (maxM is < 2 or > HnswOptions.MaxM)
            throw reader.BadField("maxM", MaxMAt, $"is {maxM}; an imported index needs M between 2 and {HnswOptions.MaxM}");
        if (m != maxM)
            throw reader.BadField("M", MAt, $"is {m} but maxM is {maxM}; hnswlib sets them equal");
        if (maxM0 != 2 * maxM)
            throw reader.BadField("maxM0", MaxM0At, $"is {maxM0}; hnswlib sets it to 2·maxM = {2 * maxM}, the only level-0 width our graph has");
        ulong links0Bytes = (ulong)ListBytes((long)maxM0);
        if (offsetData != links0Bytes)
            throw reader.BadField("offsetData", OffsetDataAt, $"is {offsetData}; with maxM0 = {maxM0} the level-0 links take {links0Bytes} bytes");
        if (labelOffset <= offsetData || (labelOffset - offsetData) % sizeof(float) != 0)
            throw reader.BadField("label_offset", LabelOffsetAt, $"is {labelOffset}; the vector between offsetData {offsetData} and it must be a whole number of floats");
        ulong dims = (labelOffset - offsetData) / sizeof(float);
        if (dims > HnswOptions.MaxDimensions)
            throw reader.BadField("label_offset", LabelOffsetAt, $"gives {dims} dimensions, more than the {HnswOptions.MaxDimensions} an index holds");
        if (expectedDimensions > 0 && dims != (ulong)expectedDimensions)
            throw reader.BadField("label_offset", LabelOffsetAt, $"gives {dims} dimensions; the caller expected {expectedDimensions}");
        if (sizePer != labelOffset + sizeof(ulong))
            throw reader.BadField("size_data_per_element", SizeDataPerElementAt, $"is {sizePer}; links, vector and label take {labelOffset + sizeof(ulong)} bytes");
        if (count > (ulong)HnswIndex.MaxNodes)
            throw reader.BadField("cur_element_count", ElementCountAt, $"is {count}, more than the {HnswIndex.MaxNodes} nodes an index holds");
        // Each element takes its record and at least its 4-byte upper-list size: a count the file cannot hold is refused here.
        ulong body = (ulong)(reader.Length - HeaderSize);
        if (count * (sizePer + sizeof(uint)) > body)
            throw reader.BadField("cur_element_count", ElementCountAt,
                $"says {count} elements of {sizePer} + 4 bytes, but the file has {body} bytes after the header");
        if (maxElements < count)
            throw reader.BadField("max_elements", MaxElementsAt, $"is {maxElements}, fewer than cur_element_count {count}");
        if (efConstruction is < 1 or > 1 << 16)
            throw reader.BadField("ef_construction", EfConstructionAt, $"is {efConstruction}, outside 1..65536");
        if (!double.IsFinite(mult) || mult <= 0)
            throw reader.BadField("mult", MultAt, $"is {mult.ToString(CultureInfo.InvariantCulture)}, not a positive level multiplier");
        int n = (int)count;
        if (n == 0 ? maxLevel != -1 : maxLevel is < 0 or > HnswIndex.MaxLevel)
            throw reader.BadField("maxlevel", MaxLevelAt, n == 0 ? (FormattableString)$"is {maxLevel}; an empty index has -1" : $"is {maxLevel}, outside 0..{HnswIndex.MaxLevel}");

        var options = new HnswOptions
        {
            Dimensions = (int)dims,
            Metric = metric,
            M = (int)maxM,
            EfConstruction = (int)efConstruction,
            DefaultEf = defaultEf,
            InitialCapacity = 0,
        };

        // The upper-level lists follow the records: read them first, so that every level is known when the
        // level-0 links are checked.
        long recordsStart = HeaderSize;
        long listsStart = recordsStart + n * (long)sizePer;
        int mm = (int)maxM;
        long perLevel = ListBytes(mm);
        var levels = new byte[n];
        var listAt = new long[n];
        reader.Seek(listsStart);
        for (int node = 0; node < n; node++)
        {
            long at = reader.Position;
            uint bytes = reader.ReadUInt32("linkListSize");
            if (bytes % perLevel != 0 || bytes / perLevel > HnswIndex.MaxLevel)
                throw reader.BadField("linkListSize", at,
                    $"of element {node} is {bytes}; it must be a multiple of {perLevel} (one level of maxM {mm} links) for at most {HnswIndex.MaxLevel} levels");
            reader.Skip(bytes, "link lists");
            levels[node] = (byte)(bytes / perLevel);
            listAt[node] = at + sizeof(uint);
        }
        reader.RequireEnd("link lists");

        using var graph = new ImportedGraph(reader, (int)dims, mm, metric, levels);
        var links = new int[Math.Max(mm, 2 * mm)];
        for (int node = 0; node < n; node++)
        {
            if (levels[node] == 0)
                continue;
            reader.Seek(listAt[node]);
            for (int level = 1; level <= levels[node]; level++)
            {
                long at = reader.Position;
                var list = reader.Take((int)perLevel, "link lists");
                int linkCount = BinaryPrimitives.ReadUInt16LittleEndian(list);
                if (linkCount > mm)
                    throw reader.BadField("link lists", at, $"element {node} has {linkCount} links at level {level}, more than maxM {mm}");
                var ids = MemoryMarshal.Cast<byte, int>(list.Slice(sizeof(uint), linkCount * sizeof(int)));
                ids.CopyTo(links);
                graph.SetLinks(node, level, links.AsSpan(0, linkCount), "link lists", at + sizeof(uint));
            }
        }

        ReadRecords(reader, graph, n, (long)sizePer, (int)offsetData, (int)labelOffset, mm);
        int entryNode = n == 0 ? -1 : (int)entryPoint;
        if (n > 0 && entryPoint >= (uint)n)
            throw reader.BadField("enterpoint_node", EntryPointAt, $"is {entryPoint}; element ids are 0..{n - 1}");
        return graph.Finish(options, entryNode, maxLevel, "maxlevel", MaxLevelAt);
    }

    private static void ReadRecords(ForeignReader reader, ImportedGraph graph, int n, long sizePer, int offsetData, int labelOffset, int m)
    {
        int m0 = 2 * m;
        int dims = graph.Dimensions;
        int recordsPerChunk = (int)Math.Max(1, ChunkBytes / sizePer);
        var buffer = ArrayPool<byte>.Shared.Rent((int)(recordsPerChunk * sizePer));
        var links = new int[m0];
        try
        {
            reader.Seek(HeaderSize);
            for (int first = 0; first < n; first += recordsPerChunk)
            {
                int records = Math.Min(recordsPerChunk, n - first);
                long chunkAt = reader.Position;
                var chunk = buffer.AsSpan(0, (int)(records * sizePer));
                reader.ReadInto(chunk, "level-0 records");
                var vectors = graph.VectorBytes(first, records);
                for (int r = 0; r < records; r++)
                {
                    int node = first + r;
                    var record = chunk.Slice((int)(r * sizePer), (int)sizePer);
                    long at = chunkAt + r * sizePer;
                    int linkCount = BinaryPrimitives.ReadUInt16LittleEndian(record);
                    if (linkCount > m0)
                        throw reader.BadField("level-0 records", at, $"element {node} has {linkCount} level-0 links, more than maxM0 {m0}");
                    MemoryMarshal.Cast<byte, int>(record.Slice(sizeof(uint), linkCount * sizeof(int))).CopyTo(links);
                    graph.SetLinks(node, 0, links.AsSpan(0, linkCount), "level-0 records", at + sizeof(uint));
                    graph.SetDeleted(node, (record[2] & DeleteMark) != 0);
                    record.Slice(offsetData, dims * sizeof(float)).CopyTo(vectors.Slice(r * dims * sizeof(float)));
                    graph.SetLabel(node, BinaryPrimitives.ReadInt64LittleEndian(record[labelOffset..]));
                }
                long start = chunkAt;
                graph.CheckRows(first, records, "level-0 records", node => start + (node - first) * sizePer + offsetData);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

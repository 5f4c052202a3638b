using System.Buffers.Binary;
using System.Globalization;
using NativeHnsw.IndexFiles;
using static NativeHnsw.Interchange.FaissFormat;

namespace NativeHnsw.Interchange;

/// <summary>
/// Tells from a file's first bytes whether it is an hnswlib or a FAISS index, without reading further and without
/// throwing: for <c>nhnsw info</c>, which then suggests <c>nhnsw import</c>. A full check is the import itself.
/// </summary>
internal static class ForeignProbe
{
    private const int ProbeBytes = 128;

    public static ForeignFileKind? Identify(string path)
    {
        Span<byte> head = stackalloc byte[ProbeBytes];
        int read;
        long length;
        try
        {
            using var stream = IndexFile.OpenRead(path);
            length = stream.Length;
            read = RandomAccess.Read(stream.SafeFileHandle, head, 0);
        }
        catch (IOException)
        {
            return null;
        }
        head = head[..read];
        if (read >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(head) == IndexFormat.Magic)
            return null;
        return Faiss(head) ?? Hnswlib(head, length);
    }

    private static ForeignFileKind? Faiss(ReadOnlySpan<byte> head)
    {
        if (head.Length < 37)
            return null;
        uint fourcc = BinaryPrimitives.ReadUInt32LittleEndian(head);
        string name = Name(fourcc);
        bool known = fourcc == IdMap || fourcc == IdMap2 || fourcc == HnswFlat || Describe(fourcc) != "an unknown index type";
        int d = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
        long ntotal = BinaryPrimitives.ReadInt64LittleEndian(head[8..]);
        int metric = BinaryPrimitives.ReadInt32LittleEndian(head[33..]);
        if (!known || d < 1 || ntotal < 0)
            return null;
        string what = fourcc == IdMap || fourcc == IdMap2
            ? $"a FAISS {(fourcc == IdMap ? "IndexIDMap" : "IndexIDMap2")} ({name}) around {(head.Length >= 41 ? InnerName(BinaryPrimitives.ReadUInt32LittleEndian(head[37..])) : "an index")}"
            : fourcc == HnswFlat ? "a FAISS IndexHNSWFlat (IHNf)" : $"a FAISS {Describe(fourcc)} ({name})";
        string metricName = metric switch { MetricL2 => "L2", MetricInnerProduct => "inner product", _ => $"metric {metric}" };
        bool importable = (fourcc == IdMap || fourcc == IdMap2) ? head.Length >= 41 && BinaryPrimitives.ReadUInt32LittleEndian(head[37..]) == HnswFlat : fourcc == HnswFlat;
        return new ForeignFileKind("faiss", string.Create(CultureInfo.InvariantCulture, $"{what}: {ntotal} vectors of {d} dimensions, {metricName}"), importable);
    }

    private static ulong U(ReadOnlySpan<byte> head, int at) => BinaryPrimitives.ReadUInt64LittleEndian(head[at..]);

    private static string InnerName(uint fourcc) => fourcc == HnswFlat ? "an IndexHNSWFlat (IHNf)" : $"{Describe(fourcc)} ({Name(fourcc)})";

    private static ForeignFileKind? Hnswlib(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < HnswlibFormat.HeaderSize)
            return null;
        ulong maxM = U(head, HnswlibFormat.MaxMAt), maxM0 = U(head, HnswlibFormat.MaxM0At), offsetData = U(head, HnswlibFormat.OffsetDataAt);
        ulong labelOffset = U(head, HnswlibFormat.LabelOffsetAt), sizePer = U(head, HnswlibFormat.SizeDataPerElementAt), count = U(head, HnswlibFormat.ElementCountAt);
        if (U(head, HnswlibFormat.OffsetLevel0At) != 0 || maxM is 0 or > 1 << 20 || maxM0 != 2 * maxM || offsetData != 4 + 4 * maxM0
            || labelOffset <= offsetData || sizePer != labelOffset + 8 || count > (ulong)length)
            return null;
        ulong dims = (labelOffset - offsetData) / 4;
        return new ForeignFileKind("hnswlib", string.Create(CultureInfo.InvariantCulture,
            $"an hnswlib index (saveIndex): {count} elements of {dims} dimensions, M {maxM} (the file does not record its space: give --metric)"), Importable: true);
    }
}

using System.Buffers.Binary;
using System.Text;

namespace NativeHnsw.Interchange;

/// <summary>
/// The parts of FAISS's (1.7.x) <c>write_index</c> format we read and write, as docs/IMPORT.md describes: each index
/// starts with a fourcc, then the common header (d i32, ntotal i64, two unused i64, is_trained u8, metric_type i32);
/// vectors are a u64 length followed by that many elements.
/// </summary>
internal static class FaissFormat
{
    public static readonly uint IdMap = FourCc("IxMp");
    public static readonly uint IdMap2 = FourCc("IxM2");
    public static readonly uint HnswFlat = FourCc("IHNf");
    public static readonly uint FlatL2 = FourCc("IxF2");
    public static readonly uint FlatIP = FourCc("IxFI");

    /// <summary>FAISS's METRIC_INNER_PRODUCT and METRIC_L2.</summary>
    public const int MetricInnerProduct = 0;
    public const int MetricL2 = 1;

    /// <summary>The value FAISS writes into the two unused header fields.</summary>
    public const long HeaderDummy = 1 << 20;

    /// <summary>The fourccs of FAISS index types that are not IndexHNSWFlat, with what they are, for the refusal message.</summary>
    public static string Describe(uint fourcc) => Name(fourcc) switch
    {
        "IHNp" => "IndexHNSWPQ",
        "IHNs" => "IndexHNSWSQ",
        "IHN2" => "IndexHNSW2Level",
        "IxFl" => "IndexFlat with a metric other than L2 or inner product",
        "IwFl" or "IwFL" => "IndexIVFFlat",
        "IwPQ" or "IwQR" => "IndexIVFPQ",
        "IxPq" => "IndexPQ",
        "IxSQ" => "IndexScalarQuantizer",
        "IxPT" => "IndexPreTransform",
        "IxRF" => "IndexRefine",
        "INSf" => "IndexNSGFlat",
        _ => "an unknown index type",
    };

    public static uint FourCc(string code) => BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes(code));

    /// <summary>A fourcc as text, printable characters only.</summary>
    public static string Name(uint fourcc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, fourcc);
        var text = new StringBuilder(4);
        foreach (byte b in bytes)
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        return text.ToString();
    }
}

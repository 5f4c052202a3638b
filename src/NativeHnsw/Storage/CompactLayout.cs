using NativeHnsw.Distance;

namespace NativeHnsw.IndexFiles;

/// <summary>Where and how wide each quantization's compact rows are: one home for the blocks, the file and the walk.</summary>
internal static class CompactLayout
{
    /// <summary>The section holding the compact rows of <paramref name="quantization"/> (meaningless for None).</summary>
    public static SectionId RowSection(VectorQuantization quantization) =>
        quantization == VectorQuantization.Float16 ? SectionId.Float16Vectors : SectionId.Int8Vectors;

    /// <summary>Bytes of one node's compact row under these options; 0 without quantization.</summary>
    public static int StrideOf(HnswOptions options) => options.Quantization switch
    {
        VectorQuantization.Int8 => Int8Quantizer.StrideOf(options.Dimensions),
        VectorQuantization.Float16 => Float16Codec.StrideOf(options.Dimensions),
        _ => 0,
    };
}

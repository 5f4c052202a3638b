namespace NativeHnsw;

/// <summary>How the graph walk stores and measures vectors besides the float32 rows (which are always kept, for re-ranking).</summary>
public enum VectorQuantization
{
    /// <summary>The walk measures the float32 rows.</summary>
    None = 0,

    /// <summary>IEEE half precision: two bytes a component, no training; components beyond ±65,504 clamp to it.</summary>
    Float16 = 1,

    /// <summary>
    /// Per-dimension 8-bit scalar quantization, trained from the data (<see cref="HnswOptions.QuantizerTrainingSize"/>):
    /// the walk measures one byte a component; components outside the trained range clamp to its ends.
    /// </summary>
    Int8 = 2,
}

namespace NativeHnsw.Interop;

/// <summary>How USearch stores the vectors it is given (it always takes f32 in, and quantises on add).</summary>
public enum UsearchScalar
{
    /// <summary>Four bytes per component, as given.</summary>
    Float32,

    /// <summary>IEEE half precision: half the memory, a small distance error.</summary>
    Float16,

    /// <summary>
    /// One byte per component: USearch normalises each vector and scales it to [−127, 127], so it is valid for cosine
    /// only (and rejected for the other metrics).
    /// </summary>
    Int8,
}

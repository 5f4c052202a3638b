namespace NativeHnsw;

/// <summary>How much of a mapped index <see cref="HnswIndex.Warm(WarmScope)"/> reads into memory before it returns.</summary>
public enum WarmScope
{
    /// <summary>
    /// Everything a search reads (header, upper levels, states, level-0 links, the rows the walk measures,
    /// labels) is resident when Warm returns. With compact (int8/float16) rows the float32 rows are left out:
    /// only the re-ranking reads them, a few per query.
    /// </summary>
    Search = 0,

    /// <summary>
    /// Only the upper levels, the states and the entry point's level-0 neighbourhood are read before Warm returns;
    /// the rest of what <see cref="Search"/> reads is requested from the kernel (madvise WILLNEED), which reads it
    /// in the background while the first queries run.
    /// </summary>
    UpperLevels = 1,

    /// <summary>Every page of the file, the label index included (it serves lookups by label).</summary>
    File = 2,
}

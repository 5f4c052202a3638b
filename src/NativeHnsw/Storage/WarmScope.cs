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

    /// <summary>Every page of the file, the label index included (it serves lookups by label).</summary>
    File = 1,
}

namespace NativeHnsw;

/// <summary>How a mapped index will be read, told to the operating system (<see cref="HnswIndex.Advise"/>).</summary>
public enum MappedAccess
{
    /// <summary>The kernel's default: each page fault also reads ahead the pages after it.</summary>
    Normal = 0,

    /// <summary>
    /// Searches jump around the file: a page fault reads that page alone. Saves the readahead a cold search
    /// throws away, at the price of one read per page for anything read in order.
    /// </summary>
    Random = 1,
}

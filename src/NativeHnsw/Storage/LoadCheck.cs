namespace NativeHnsw;

/// <summary>How much of a file <see cref="HnswIndex.Load(string, LoadCheck)"/> checks before it returns.</summary>
public enum LoadCheck
{
    /// <summary>
    /// Everything (the default): every section's checksum and padding, every vector row, the graph's invariants, the label
    /// index and the compact rows. Nothing damaged gets in, so the index is safe to change at once and a file damaged
    /// with valid checksums (crafted, or written by a faulty tool) is refused with the place of the problem.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Every section's checksum and padding, the label index's bounds and the quantizer; the graph's invariants and the
    /// rows are checked before the index is first changed, saved or exported (or at any time by
    /// <see cref="HnswIndex.Verify"/>). Damage from disks, copies and truncation is still caught at load (a 64-bit
    /// XxHash3 per section), while the load skips its costliest checks (README: the measured saving). A file damaged with valid checksums can then
    /// give wrong answers, but, as with <see cref="HnswIndex.Open"/>, no search or lookup reads outside the index.
    /// For files this process or its own tools wrote, where the time to the first query matters.
    /// </summary>
    Checksums = 1,
}

using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>Save, load, open and the first query after them, for one engine. Times in milliseconds, latencies in microseconds.</summary>
/// <param name="SaveMs">Save to a new file (each engine's own durability: ours fsyncs, the others do not).</param>
/// <param name="LoadMs">Read the whole file into memory.</param>
/// <param name="OpenMs">Memory-mapped open (ours; USearch's view).</param>
/// <param name="VerifyMs">Full checksum and graph check (ours only).</param>
/// <param name="FirstQueryAfterLoadUs">The first query on a freshly loaded index.</param>
/// <param name="FirstQueryAfterOpenUs">The first query on a freshly mapped index, file in the page cache.</param>
/// <param name="FirstQueryColdUs">The first query on a freshly mapped index with the file evicted from the page cache; null when eviction failed.</param>
/// <param name="MemoryBytesPerVector">The engine's reported index memory divided by the vector count; null when it cannot tell.</param>
/// <param name="SavesWithFsync">Whether the engine's own save makes the file durable (fsync of file and folder).</param>
/// <param name="SaveFsyncMs">The engine's save followed by an fsync of the file and its folder, for engines whose save has none.</param>
/// <param name="Rounds">Every timed repetition, round by round, so ratios between engines pair the same round.</param>
/// <param name="ChecksumLoadMs">Ours only: the load with <see cref="LoadCheck.Checksums"/> (graph and row checks deferred to the first change).</param>
/// <param name="SearchBytesPerVector">The part of the memory a search's graph walk reads, per vector (<see cref="Interop.IVectorEngine.SearchMemoryBytes"/>); null when the engine cannot tell.</param>
public sealed record PersistenceResult(
    Summary? SaveMs, Summary? LoadMs, Summary? OpenMs, Summary? VerifyMs,
    double? FirstQueryAfterLoadUs, double? FirstQueryAfterOpenUs, double? FirstQueryColdUs,
    long FileBytes, double? MemoryBytesPerVector,
    bool SavesWithFsync = false, Summary? SaveFsyncMs = null, PersistenceRounds? Rounds = null, double? SearchBytesPerVector = null,
    Summary? ChecksumLoadMs = null)
{
    /// <summary>The save that leaves the file durable: the engine's own when it fsyncs, else save followed by fsync.</summary>
    public Summary? DurableSaveMs => SavesWithFsync ? SaveMs : SaveFsyncMs;
}

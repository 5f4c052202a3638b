using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Persistence;

/// <summary>One engine's persistence figures at one index size (milliseconds), measured in rounds alternating with the other engines.</summary>
/// <param name="SavesWithFsync">Whether the engine's own save fsyncs (ours); for the others <paramref name="DurableSaveMs"/> adds one.</param>
/// <param name="DurableSaveMs">The save that leaves the file durable: ours as is, the others followed by an fsync of file and folder.</param>
/// <param name="OpenMs">Memory-mapped open (ours, USearch's view); null for engines without one.</param>
public sealed record PeerSizeResult(
    string Engine, int Size, double BuildSeconds, long FileBytes, bool SavesWithFsync,
    Summary SaveMs, Summary DurableSaveMs, Summary LoadMs, Summary? OpenMs);

using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Persistence;

/// <summary>A persistence-mode run (serialised as results.json): our index in depth, then every engine side by side.</summary>
public sealed record PersistenceReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, string Metric, int M, int Repeats,
    IReadOnlyList<PersistenceSizeResult> Sizes, IReadOnlyList<string> Notes, int Dimensions = 0,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<PeerSizeResult>? PeerResults = null)
{
    /// <summary>Every engine's figures at every size (empty when the run compared no engines).</summary>
    public IReadOnlyList<PeerSizeResult> Engines => PeerResults ?? [];
}

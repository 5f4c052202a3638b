namespace NativeHnsw.Bench.Store;

/// <summary>The store mode's parameters.</summary>
/// <param name="Count">Records inserted in batches into the main store (the reopen and query figures are at this size).</param>
/// <param name="Singles">Records inserted one call at a time after the batches.</param>
/// <param name="Replay">Records upserted after the checkpoint, then replayed by the reopen without a fresh checkpoint.</param>
/// <param name="StrictCount">Records inserted in batches into the second store, at <c>Durability.Strict</c>.</param>
/// <param name="Ship">Ship the main store's change log to a local folder every second while it is written (a <c>ChangeShipper</c> beside the writer), to measure what shipping costs the writer's commits.</param>
public sealed record StoreSettings(
    int Count, int Dimensions, int Singles, int StrictCount, int Replay, int Queries, int Seed, string? OutputDirectory, string CommandLine, bool Ship = false);

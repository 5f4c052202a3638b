namespace NativeHnsw.Backup;

/// <summary>What a store backup holds: the last change it includes and each collection's shape and counts.</summary>
/// <param name="Sequence">The store's last change sequence number included.</param>
/// <param name="Collections">Every collection, by name (ordinal).</param>
public sealed record StoreSummary(long Sequence, IReadOnlyList<StoreCollectionSummary> Collections);

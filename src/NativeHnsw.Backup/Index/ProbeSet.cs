namespace NativeHnsw.Backup;

/// <summary>
/// Sample queries and the answers the backed-up index gave them. A restore runs them again and demands the same
/// labels: the restored file is byte-identical, and a search over identical bytes is deterministic.
/// </summary>
/// <param name="Seed">Seed of the standard-normal query vectors (so the manifest need not hold them).</param>
/// <param name="K">Neighbours per query.</param>
/// <param name="Ef">Beam width used.</param>
/// <param name="Expected">For each query, the labels returned, nearest first.</param>
public sealed record ProbeSet(int Seed, int K, int Ef, IReadOnlyList<IReadOnlyList<long>> Expected);

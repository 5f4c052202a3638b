namespace NativeHnsw.Embeddings;

/// <summary>How <see cref="MiniLmEmbeddingGenerator"/> splits and schedules its work.</summary>
public sealed record MiniLmOptions
{
    /// <summary>
    /// Texts per model run. A batch is padded to its longest text, so a larger batch amortises the per-run cost but
    /// pays for padding when lengths differ; the result of a text does not depend on its batch.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Batches run at once, each on one thread (−1: one per processor).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

namespace NativeHnsw.Backup;

/// <summary>One step of a restore, what it checked, and how long it took.</summary>
public sealed record RestoreStep(string Name, string Detail, TimeSpan Elapsed)
{
    /// <summary>
    /// Where the step's time went, when it measures its parts (a chunked fetch: planning, reading, decoding and key
    /// checks, waiting, the whole file's hash and write). Parts done on worker threads are summed over the threads,
    /// so they may add up to more than <see cref="Elapsed"/>.
    /// </summary>
    public IReadOnlyList<RestoreStep>? Parts { get; init; }
}

namespace NativeHnsw;

/// <summary>What <see cref="HnswIndex.Verify"/> found in a sound index file.</summary>
/// <param name="FilePath">The file checked.</param>
/// <param name="FormatVersion">The format version this reader checked it as ("major.minor").</param>
/// <param name="FileLength">Bytes in the file.</param>
/// <param name="Options">The options stored in the file.</param>
/// <param name="NodeCount">Nodes in the graph (live, deleted and superseded).</param>
/// <param name="Count">Labels a search can return.</param>
/// <param name="DeletedCount">Labels marked deleted.</param>
/// <param name="SupersededCount">Replaced vectors kept as waypoints.</param>
/// <param name="TopLevel">The entry point's level (−1 when empty).</param>
/// <param name="LinkCount">Links at all levels.</param>
public sealed record IndexVerification(string FilePath, string FormatVersion, long FileLength, HnswOptions Options,
    int NodeCount, int Count, int DeletedCount, int SupersededCount, int TopLevel, long LinkCount);

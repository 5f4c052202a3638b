namespace NativeHnsw.IndexFiles;

/// <summary>What a successful check of the graph learned on the way.</summary>
internal readonly record struct GraphSummary(int TopLevel, long LinkCount);

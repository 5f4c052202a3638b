namespace NativeHnsw;

/// <summary>One hit of a search: the caller's label and its distance to the query.</summary>
public readonly record struct SearchResult(long Label, float Distance);

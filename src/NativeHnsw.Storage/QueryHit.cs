namespace NativeHnsw.Storage;

/// <summary>One result of a query, nearest first; fields not asked for in <see cref="Include"/> are null (Distance: NaN).</summary>
public sealed record QueryHit(string Id, float Distance, float[]? Embedding, string? Document, IReadOnlyDictionary<string, object>? Metadata);

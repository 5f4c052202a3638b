namespace NativeHnsw.Storage.Internal;

/// <summary>One validated record of a write batch, before its transaction. Patch: metadata to merge (a null value removes the key); null leaves the metadata as it is.</summary>
internal sealed record PendingRecord(string Id, float[]? Vector, bool SetDocument, string? Document, Dictionary<string, object?>? Patch);

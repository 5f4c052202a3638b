namespace NativeHnsw.Storage;

/// <summary>
/// A record of a write was rejected before anything was written: a duplicate or empty id, a vector of the
/// wrong dimension, a NaN or infinite component, a zero vector under cosine, an unsupported metadata value,
/// an id that already exists (Add) or does not exist (Update). The whole batch was rejected.
/// </summary>
public sealed class InvalidRecordException : StoreException
{
    public InvalidRecordException(string collection, string? recordId, int position, string problem)
        : base($"collection '{collection}', record {(recordId is null ? "" : $"'{recordId}' ")}at position {position}: {problem} (the whole batch was rejected; nothing was written)")
    {
        Collection = collection;
        RecordId = recordId;
        Position = position;
        Problem = problem;
    }

    public string Collection { get; }

    /// <summary>The record's id, when it had one.</summary>
    public string? RecordId { get; }

    /// <summary>The record's position in the batch (0-based).</summary>
    public int Position { get; }

    public string Problem { get; }
}

namespace NativeHnsw.Storage;

/// <summary>
/// A write (add, upsert, update, delete, create or delete a collection, checkpoint) was asked of a client opened with
/// <see cref="PersistentClient.OpenReadOnly"/>. Nothing was written; writes go through the store's one writer client.
/// </summary>
public sealed class StoreReadOnlyException : StoreException
{
    public StoreReadOnlyException(string storePath, string operation)
        : base($"{storePath}: the store is open read-only in this client; {operation} is a write. Write through the client that has the store open for writing.")
    {
        StorePath = storePath;
        Operation = operation;
    }

    public string StorePath { get; }

    /// <summary>What was refused, in words ("add to collection 'docs'").</summary>
    public string Operation { get; }
}

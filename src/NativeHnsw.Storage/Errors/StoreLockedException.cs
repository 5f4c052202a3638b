namespace NativeHnsw.Storage;

/// <summary>Another client (in this process or another one) has the store open: one writer process per store.</summary>
public sealed class StoreLockedException : StoreException
{
    public StoreLockedException(string storePath, Exception? innerException = null)
        : base($"{storePath}: the store is open in another client (its LOCK file is held); close that client first. Only one client at a time may open a store.", innerException)
    {
        StorePath = storePath;
    }

    public string StorePath { get; }
}

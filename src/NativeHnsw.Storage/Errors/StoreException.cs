namespace NativeHnsw.Storage;

/// <summary>
/// The base of every failure a <see cref="PersistentClient"/> reports on purpose: a locked, newer or
/// damaged store, an unknown or conflicting collection, a bad record or filter. Messages name the
/// store path, the collection and the record at fault, so a log line alone says what and where.
/// </summary>
/// <remarks>
/// A write that throws any of these has changed nothing: batches are validated before their
/// transaction starts, and a failure inside the transaction rolls all of it back.
/// </remarks>
public class StoreException : Exception
{
    public StoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

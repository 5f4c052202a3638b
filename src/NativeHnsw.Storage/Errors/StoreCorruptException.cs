namespace NativeHnsw.Storage;

/// <summary>
/// The store's database file is not a database, or SQLite found a damaged page in it. Nothing is
/// repaired automatically: restore the file from a backup (the index checkpoints are derived data and
/// cannot stand in for it).
/// </summary>
public sealed class StoreCorruptException : StoreException
{
    public StoreCorruptException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: the store database is damaged: {problem}", innerException)
    {
        FilePath = filePath;
    }

    public string FilePath { get; }
}

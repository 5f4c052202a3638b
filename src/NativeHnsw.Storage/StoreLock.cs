namespace NativeHnsw.Storage;

/// <summary>
/// A store's <c>LOCK</c> file held open exclusively: while it is held, no client (in this process or another) can open
/// the store for writing, and no other holder can take it. <see cref="PersistentClient"/> holds one for its lifetime;
/// tools that replace a store folder as a whole (a restore) hold one for the time of the switch.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(string storeFolder, FileStream file)
    {
        StoreFolder = storeFolder;
        _file = file;
    }

    /// <summary>The store folder whose lock this is (a full path).</summary>
    public string StoreFolder { get; }

    /// <summary>Takes the lock of the store in <paramref name="storeFolder"/>, which must exist (its <c>LOCK</c> file is created if absent).</summary>
    /// <exception cref="StoreLockedException">Another client or holder has it.</exception>
    /// <exception cref="StoreException">The folder does not exist.</exception>
    public static StoreLock Acquire(string storeFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storeFolder));
        if (!Directory.Exists(root))
            throw new StoreException($"{root}: the store folder does not exist.");
        try
        {
            // FileShare.None is the lock: the operating system refuses a second open while this handle lives.
            var file = new FileStream(Path.Combine(root, Storage.StoreFolder.LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new StoreLock(root, file);
        }
        catch (IOException e)
        {
            throw new StoreLockedException(root, e);
        }
    }

    public void Dispose() => _file.Dispose();
}

using NativeHnsw.IO;

namespace NativeHnsw.Storage;

/// <summary>
/// What a tool outside this assembly may know of a store folder: the names of its top-level files, whether a folder
/// is a store, and how to replace a store folder as a whole (a restore). The rest of the layout (collection folders,
/// checkpoint names) stays private to the store.
/// </summary>
public static class StoreFolder
{
    /// <summary>The SQLite database (with its <c>-wal</c> and <c>-shm</c> files beside it while open).</summary>
    public const string DatabaseFileName = "store.db";

    /// <summary>The file a client holds open exclusively (<see cref="StoreLock"/>).</summary>
    public const string LockFileName = "LOCK";

    /// <summary>True when <paramref name="path"/> is a store folder (it holds <see cref="DatabaseFileName"/>).</summary>
    public static bool IsStore(string path) =>
        !string.IsNullOrEmpty(path) && Directory.Exists(path) && File.Exists(Path.Combine(path, DatabaseFileName));

    /// <summary>
    /// Puts the complete store in <paramref name="stagedFolder"/> in the place of <paramref name="storeFolder"/>. When
    /// there is a store there, its lock is taken for the switch (so no client has it open), it is renamed aside, the
    /// staged folder renamed in, and only then the old one deleted; a failure of the second rename puts the old one
    /// back. Both renames are made durable (the parent folder is fsynced). The staged folder must be on the same file
    /// system as the store (beside it, ideally), so that each rename is atomic.
    /// </summary>
    /// <exception cref="StoreLockedException">A client has the store open; nothing was changed.</exception>
    /// <exception cref="IOException">A rename failed; the store folder is as it was.</exception>
    public static void Replace(string stagedFolder, string storeFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(stagedFolder);
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        string staged = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stagedFolder));
        string live = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storeFolder));
        if (!Directory.Exists(staged))
            throw new DirectoryNotFoundException($"{staged}: the staged store folder does not exist.");
        string parent = Path.GetDirectoryName(live) ?? throw new ArgumentException($"'{live}' is a root folder; a store cannot replace it.", nameof(storeFolder));
        if (!Directory.Exists(live))
        {
            Directory.Move(staged, live);
            DurableFile.SyncDirectory(parent);
            return;
        }
        string old = Path.Combine(parent, $".{Path.GetFileName(live)}.old-{Guid.NewGuid():N}");
        using (StoreLock.Acquire(live))
        {
            Directory.Move(live, old);
            try
            {
                Directory.Move(staged, live);
            }
            catch
            {
                Directory.Move(old, live);
                throw;
            }
        }
        DurableFile.SyncDirectory(parent);
        // The replaced store is hidden (a dot name) and never read again; a leftover costs only space.
        FileCleanup.TryDeleteFolder(old);
    }
}

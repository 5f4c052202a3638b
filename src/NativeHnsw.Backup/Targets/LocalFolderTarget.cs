using NativeHnsw.IO;

namespace NativeHnsw.Backup;

/// <summary>
/// Backups in a local (or mounted) folder, one sub-folder per backup: <c>ROOT/ID/manifest.json</c> and its files.
/// A backup is written into <c>ROOT/.staging-ID-…</c>, its files fsynced, the manifest written last, and the folder
/// renamed to <c>ROOT/ID</c> (then ROOT fsynced): a crash leaves either no backup or a whole one. Deletion renames
/// to <c>ROOT/.deleting-…</c> first. Folders whose name starts with '.' are never listed.
/// </summary>
public sealed partial class LocalFolderTarget : IBackupTarget, IBackupNames
{
    internal const string StagingPrefix = ".staging-";
    internal const string DeletingPrefix = ".deleting-";

    public LocalFolderTarget(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Chunks = new LocalChunkStore(Root);
    }

    public IChunkStore Chunks { get; }

    /// <summary>The folder holding the backups.</summary>
    public string Root { get; }

    public string Description => Root;

    /// <exception cref="BackupTargetException">The folder does not exist, is a file, or cannot be listed.</exception>
    public IReadOnlyList<string> ListIds() => [.. BackupFolders().Where(HasManifest)];

    public IReadOnlyList<string> ListPartialIds() => [.. BackupFolders().Where(id => !HasManifest(id))];

    public IReadOnlyDictionary<string, long> ListFiles(string id)
    {
        string folder = FolderOf(id);
        try
        {
            return new DirectoryInfo(folder).EnumerateFiles()
                .Where(f => f.Name != BackupManifest.FileName)
                .ToDictionary(f => f.Name, f => f.Length, StringComparer.Ordinal);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new BackupNotFoundException(id, $"does not exist in '{Root}'", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(id, $"cannot list its files in '{folder}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Deletes the hidden <c>.staging-…</c> and <c>.deleting-…</c> folders of writers and deletions that never finished
    /// (a killed process): only those in which nothing was written for <paramref name="minimumAge"/>, so a writer still
    /// at work keeps its folder. A folder without a manifest under a backup's name is left alone (it is reported as
    /// partial; it may be a hand copy).
    /// </summary>
    public IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun)
    {
        if (!Directory.Exists(Root))
            return [];
        var swept = new List<string>();
        try
        {
            foreach (var dir in new DirectoryInfo(Root).EnumerateDirectories())
            {
                if (!IsHidden(dir.Name))
                    continue;
                if (now - LastWrite(dir) < minimumAge)
                    continue;
                if (!dryRun)
                {
                    dir.Delete(recursive: true);
                    WriterOwner.Release(dir.FullName);
                }
                swept.Add(dir.Name);
            }
            // Owner records whose folder is gone (a writer killed between its rename and the record's removal).
            foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*" + WriterOwner.Suffix))
            {
                string folder = file.FullName[..^WriterOwner.Suffix.Length];
                if (!IsHidden(Path.GetFileName(folder)) || Directory.Exists(folder) || now - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) < minimumAge)
                    continue;
                if (!dryRun)
                    file.Delete();
                swept.Add(file.Name);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed meanwhile (its own writer or deletion finished): nothing left to sweep.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot sweep leftover folders in '{Root}': {e.Message}", e);
        }
        return swept;
    }

    public BackupManifest ReadManifest(string id)
    {
        string folder = FolderOf(id);
        if (!Directory.Exists(folder))
            throw new BackupNotFoundException(id, $"does not exist in '{Root}'");
        string path = Path.Combine(folder, BackupManifest.FileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new BackupIntegrityException(id, $"is partial: it has no {BackupManifest.FileName} (an interrupted or hand-copied backup)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(id, $"cannot read {path}: {e.Message}", e);
        }
        return BackupManifest.Parse(bytes, id);
    }

    public Stream OpenRead(string id, string fileName)
    {
        if (!BackupManifest.IsValidName(fileName))
            throw new BackupMismatchException(id, $"'{fileName}' is not a valid file name");
        string path = Path.Combine(FolderOf(id), fileName);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupIntegrityException(id, $"file '{fileName}' is missing from {FolderOf(id)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(id, $"cannot open '{fileName}': {e.Message}", e);
        }
    }

    public IBackupWriter Begin(string id)
    {
        string folder = FolderOf(id);
        if (Directory.Exists(folder))
            throw new BackupMismatchException(id, $"already exists in '{Root}'");
        string staging = Path.Combine(Root, StagingPrefix + id + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The owner record first: a staging folder is never without one, so a sweep at a runner's start can prove it abandoned.
            // The target's folder is made on the first backup, as before the record existed.
            Directory.CreateDirectory(Root);
            WriterOwner.Claim(staging, WriterLease.For(Description));
            Directory.CreateDirectory(staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriterOwner.Release(staging);
            throw new BackupTargetException(id, $"cannot create a staging folder in '{Root}': {e.Message}", e);
        }
        return new LocalFolderWriter(this, id, staging);
    }

    public void Delete(string id)
    {
        string folder = FolderOf(id);
        if (!Directory.Exists(folder))
            throw new BackupNotFoundException(id, $"does not exist in '{Root}'");
        string doomed = Path.Combine(Root, DeletingPrefix + id + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            WriterOwner.Claim(doomed, WriterLease.For(Description));
            Directory.Move(folder, doomed);
            // A rename keeps the folder's time; the sweep judges a .deleting- folder by when its deletion began.
            Directory.SetLastWriteTimeUtc(doomed, DateTime.UtcNow);
            DurableFile.SyncDirectory(Root);
            Directory.Delete(doomed, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(id, $"cannot delete: {e.Message}", e);
        }
        finally
        {
            if (!Directory.Exists(doomed))
                WriterOwner.Release(doomed);
        }
    }

    /// <summary>
    /// Deletes the hidden <c>.staging-…</c> and <c>.deleting-…</c> folders whose writer is provably done: its owner
    /// record names a lease other than <paramref name="heldLease"/> (over, since the caller holds the target's lease
    /// now), on any host, or names this host and a process no longer running (a writer killed midway). Safe at any
    /// moment, beside writers that hold no lease: a live writer's folder, a folder under the caller's own lease, one
    /// owned on another host under no lease and one without a record (an older writer's) are left to
    /// <see cref="SweepLeftovers"/>'s age rule.
    /// </summary>
    /// <param name="heldLease">The id of the lease the caller holds on this target (<see cref="WriterLease"/>); null when it holds none, and then only the process rule applies.</param>
    /// <returns>The folders (and lone owner records) removed, or that would be on a dry run.</returns>
    public IReadOnlyList<string> SweepAbandoned(string? heldLease, bool dryRun)
    {
        if (!Directory.Exists(Root))
            return [];
        var swept = new List<string>();
        try
        {
            foreach (var entry in new DirectoryInfo(Root).EnumerateFileSystemInfos())
            {
                bool record = entry is FileInfo && entry.Name.EndsWith(WriterOwner.Suffix, StringComparison.Ordinal);
                string folder = record ? entry.FullName[..^WriterOwner.Suffix.Length] : entry.FullName;
                if (!IsHidden(Path.GetFileName(folder)) || (entry is FileInfo && !record) || (record && Directory.Exists(folder)))
                    continue;
                if (WriterOwner.TryRead(WriterOwner.PathOf(folder)) is not { } owner || !owner.IsAbandoned(heldLease))
                    continue;
                if (!dryRun)
                {
                    // The folder before its record, so a sweep cut short still finds the record of what is left.
                    if (!record)
                        Directory.Delete(folder, recursive: true);
                    File.Delete(WriterOwner.PathOf(folder));
                }
                swept.Add(entry.Name);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed meanwhile: nothing left to sweep.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot sweep abandoned folders in '{Root}': {e.Message}", e);
        }
        return swept;
    }

    private static bool IsHidden(string name) =>
        name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(DeletingPrefix, StringComparison.Ordinal);

    /// <summary>The newest write time of a folder and everything in it: how long ago its writer last did anything.</summary>
    private static DateTimeOffset LastWrite(DirectoryInfo dir)
    {
        var newest = dir.LastWriteTimeUtc;
        foreach (var entry in dir.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LastWriteTimeUtc > newest)
                newest = entry.LastWriteTimeUtc;
        }
        return new DateTimeOffset(newest, TimeSpan.Zero);
    }

    /// <summary>
    /// The folders named as backups, from one read of the root folder (a listing also checks each one's manifest). The
    /// root's write time would not do as a change marker: the lease file beside the backups is replaced at every job,
    /// and two changes within one tick of the file system's clock (4 ms here) leave it as it was.
    /// </summary>
    IReadOnlyList<string> IBackupNames.BackupNames() => BackupFolders();

    bool IBackupNames.HasManifest(string id) => HasManifest(id);

    private bool HasManifest(string id) => File.Exists(Path.Combine(Root, id, BackupManifest.FileName));

    /// <summary>The folders named as backups (hidden ones never are), sorted.</summary>
    private IReadOnlyList<string> BackupFolders()
    {
        if (File.Exists(Root))
            throw new BackupTargetException(null, $"the backup target '{Root}' is a file, not a folder");
        if (!Directory.Exists(Root))
            throw new BackupTargetException(null, $"the backup folder '{Root}' does not exist");
        try
        {
            return [.. Directory.EnumerateDirectories(Root)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(BackupManifest.IsValidName)
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot list the backup folder '{Root}': {e.Message}", e);
        }
    }

    internal string FolderOf(string id)
    {
        if (!BackupManifest.IsValidName(id))
            throw new BackupMismatchException(id, "is not a valid backup id (letters, digits, '.', '_', '-', not starting with '.')");
        return Path.Combine(Root, id);
    }
}

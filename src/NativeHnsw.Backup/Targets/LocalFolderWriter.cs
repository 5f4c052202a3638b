using NativeHnsw.Backup.Internal;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup;

/// <summary>A backup being staged in a hidden folder of a <see cref="LocalFolderTarget"/>.</summary>
internal sealed class LocalFolderWriter : IBackupWriter
{
    private readonly LocalFolderTarget _target;
    private readonly string _staging;
    private readonly List<string> _written = [];
    private bool _committed;

    public LocalFolderWriter(LocalFolderTarget target, string id, string staging)
    {
        _target = target;
        Id = id;
        _staging = staging;
    }

    public string Id { get; }

    public BackupFileEntry Write(string fileName, string role, Stream content, IProgress<long>? bytesWritten = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!BackupManifest.IsValidName(fileName) || fileName == BackupManifest.FileName)
            throw new ArgumentException($"'{fileName}' is not a valid backup file name.", nameof(fileName));
        if (_committed)
            throw new InvalidOperationException("The backup is already committed.");
        string path = Path.Combine(_staging, fileName);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var (length, sha) = HashingCopy.Copy(content, file, bytesWritten);
            file.Flush(flushToDisk: true);
            _written.Add(fileName);
            return new BackupFileEntry(fileName, role, length, sha);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackupException)
        {
            throw new BackupException(Id, $"cannot write '{fileName}' to '{_target.Root}': {e.Message}", e);
        }
    }

    public void Commit(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (_committed)
            throw new InvalidOperationException("The backup is already committed.");
        manifest.Validate(Id);
        var listed = manifest.Files.Select(f => f.Name).Order(StringComparer.Ordinal);
        if (!listed.SequenceEqual(_written.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            throw new InvalidOperationException("The manifest must list exactly the files written.");
        string final = _target.FolderOf(Id);
        try
        {
            using (var file = new FileStream(Path.Combine(_staging, BackupManifest.FileName), FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(manifest.ToUtf8Json());
                file.Flush(flushToDisk: true);
            }
            DirectorySync.Flush(_staging);
            if (Directory.Exists(final))
                throw new BackupException(Id, $"already exists in '{_target.Root}'");
            Directory.Move(_staging, final);
            DirectorySync.Flush(_target.Root);
            _committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackupException)
        {
            throw new BackupException(Id, $"cannot commit to '{_target.Root}': {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_committed || !Directory.Exists(_staging))
            return;
        try
        {
            Directory.Delete(_staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover staging folder is hidden from listing; prune can sweep it later.
        }
    }
}

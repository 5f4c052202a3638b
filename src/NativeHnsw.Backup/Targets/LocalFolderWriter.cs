using NativeHnsw.Backup.Internal;
using NativeHnsw.IO;

namespace NativeHnsw.Backup;

/// <summary>A backup being staged in a hidden folder of a <see cref="LocalFolderTarget"/>.</summary>
internal sealed class LocalFolderWriter : BackupWriter
{
    private readonly LocalFolderTarget _target;
    private readonly string _staging;

    public LocalFolderWriter(LocalFolderTarget target, string id, string staging)
        : base(id)
    {
        _target = target;
        _staging = staging;
    }

    protected override IChunkStore ChunkStore => _target.Chunks;

    protected override BackupFileEntry WriteFile(string fileName, string role, Stream content, IProgress<long>? bytesWritten)
    {
        string path = Path.Combine(_staging, fileName);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var (length, sha) = HashingCopy.Copy(content, file, bytesWritten);
            file.Flush(flushToDisk: true);
            return new BackupFileEntry(fileName, role, length, sha);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackupException)
        {
            throw new BackupTargetException(Id, $"cannot write '{fileName}' to '{_target.Root}': {e.Message}", e);
        }
    }

    protected override void CommitManifest(BackupManifest manifest)
    {
        string final = _target.FolderOf(Id);
        try
        {
            using (var file = new FileStream(Path.Combine(_staging, BackupManifest.FileName), FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(manifest.ToUtf8Json());
                file.Flush(flushToDisk: true);
            }
            DurableFile.SyncDirectory(_staging);
            if (Directory.Exists(final))
                throw new BackupMismatchException(Id, $"already exists in '{_target.Root}'");
            Directory.Move(_staging, final);
            DurableFile.SyncDirectory(_target.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackupException)
        {
            throw new BackupTargetException(Id, $"cannot commit to '{_target.Root}': {e.Message}", e);
        }
        WriterOwner.Release(_staging);
    }

    protected override void Abandon()
    {
        try
        {
            if (Directory.Exists(_staging))
                Directory.Delete(_staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover staging folder is hidden from listing; prune can sweep it later, with its owner record.
            return;
        }
        WriterOwner.Release(_staging);
    }
}

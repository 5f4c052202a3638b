namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// A local folder whose writers fail (as a full disk or a dropped connection would) on the given file writes, counted
/// over the target's life: a copy cut short midway, without killing the process.
/// </summary>
internal sealed class FailingTarget(LocalFolderTarget inner, Func<int, bool> failWrite) : IBackupTarget, IBackupSidecars
{
    private int _writes;

    public string Description => inner.Description;

    public IReadOnlyList<string> ListIds() => inner.ListIds();

    public IReadOnlyList<string> ListPartialIds() => inner.ListPartialIds();

    public IReadOnlyDictionary<string, long> ListFiles(string id) => inner.ListFiles(id);

    public IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun) => inner.SweepLeftovers(minimumAge, now, dryRun);

    public BackupManifest ReadManifest(string id) => inner.ReadManifest(id);

    public Stream OpenRead(string id, string fileName) => inner.OpenRead(id, fileName);

    public IBackupWriter Begin(string id) => new Writer(this, inner.Begin(id));

    public IChunkStore Chunks => inner.Chunks;

    private bool NextWriteFails() => failWrite(++_writes);

    public void Delete(string id) => inner.Delete(id);

    public byte[]? ReadSidecar(string name) => inner.ReadSidecar(name);

    public void WriteSidecar(string name, ReadOnlySpan<byte> content) => inner.WriteSidecar(name, content);

    public bool DeleteSidecar(string name) => inner.DeleteSidecar(name);

    public IReadOnlyList<string> ListSidecars(string prefix) => inner.ListSidecars(prefix);

    private sealed class Writer(FailingTarget owner, IBackupWriter writer) : IBackupWriter
    {
        public string Id => writer.Id;

        public BackupFileEntry Write(string fileName, string role, Stream content, IProgress<long>? bytesWritten = null)
        {
            if (owner.NextWriteFails())
                throw new BackupTargetException(Id, $"cannot write '{fileName}': no space left on device (simulated)");
            return writer.Write(fileName, role, content, bytesWritten);
        }

        public BackupFileEntry WriteChunked(string fileName, string role, Stream content, ChunkedFileKind kind, IProgress<long>? bytesWritten = null)
        {
            if (owner.NextWriteFails())
                throw new BackupTargetException(Id, $"cannot write '{fileName}': no space left on device (simulated)");
            return writer.WriteChunked(fileName, role, content, kind, bytesWritten);
        }

        public BackupFileEntry CopyChunked(BackupFileEntry file, IChunkStore source)
        {
            if (owner.NextWriteFails())
                throw new BackupTargetException(Id, $"cannot write '{file.Name}': no space left on device (simulated)");
            return writer.CopyChunked(file, source);
        }

        public long StoredBytes => writer.StoredBytes;

        public void Commit(BackupManifest manifest) => writer.Commit(manifest);

        public void Dispose() => writer.Dispose();
    }
}

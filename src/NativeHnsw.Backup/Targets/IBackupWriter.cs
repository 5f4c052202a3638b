namespace NativeHnsw.Backup;

/// <summary>One backup being written. Disposing without <see cref="Commit"/> abandons it and removes what was staged.</summary>
public interface IBackupWriter : IDisposable
{
    string Id { get; }

    /// <summary>Stores <paramref name="content"/> (read to its end) as <paramref name="fileName"/>, hashing it on the way.</summary>
    /// <returns>The file's entry for the manifest: name, role, length and SHA-256 of the bytes stored.</returns>
    BackupFileEntry Write(string fileName, string role, Stream content, IProgress<long>? bytesWritten = null);

    /// <summary>Makes every file durable, writes the manifest last, and only then makes the backup visible as a whole.</summary>
    void Commit(BackupManifest manifest);
}

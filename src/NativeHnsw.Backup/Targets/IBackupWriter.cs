namespace NativeHnsw.Backup;

/// <summary>One backup being written. Disposing without <see cref="Commit"/> abandons it and removes what was staged.</summary>
public interface IBackupWriter : IDisposable
{
    string Id { get; }

    /// <summary>Stores <paramref name="content"/> (read to its end) as <paramref name="fileName"/>, hashing it on the way.</summary>
    /// <returns>The file's entry for the manifest: name, role, length and SHA-256 of the bytes stored.</returns>
    BackupFileEntry Write(string fileName, string role, Stream content, IProgress<long>? bytesWritten = null);

    /// <summary>
    /// Stores <paramref name="content"/> (seekable) as chunks in the target's chunk store (<see cref="IBackupTarget.Chunks"/>),
    /// each once per target: chunks any backup stored before are not sent again. Cut and compressed as
    /// <paramref name="kind"/> says (<see cref="ChunkLayout"/>).
    /// </summary>
    /// <returns>The file's entry for the manifest, with its chunks.</returns>
    /// <exception cref="BackupTargetException">A prune is deleting unreferenced chunks in the target at this moment.</exception>
    BackupFileEntry WriteChunked(string fileName, string role, Stream content, ChunkedFileKind kind, IProgress<long>? bytesWritten = null);

    /// <summary>
    /// Copies a chunked file of another target's backup (<paramref name="file"/>, from its manifest): every chunk this
    /// target does not hold is read from <paramref name="source"/>, checked against its key and stored as it is.
    /// </summary>
    /// <returns><paramref name="file"/>, for the manifest.</returns>
    /// <exception cref="BackupIntegrityException">A chunk is missing from <paramref name="source"/> or damaged there.</exception>
    BackupFileEntry CopyChunked(BackupFileEntry file, IChunkStore source);

    /// <summary>Bytes written to the target so far: whole files, and chunks it did not hold before (framed).</summary>
    long StoredBytes { get; }

    /// <summary>Makes every file durable, writes the manifest last, and only then makes the backup visible as a whole.</summary>
    void Commit(BackupManifest manifest);
}

namespace NativeHnsw.Backup;

/// <summary>
/// Sidecars (<see cref="IBackupSidecars"/>) written only if they are still as last read: compare-and-swap on a
/// record's version, so two runners racing for one record never both win. On S3 this is the conditional PUT
/// (<c>If-None-Match: *</c> to create, <c>If-Match: ETAG</c> to replace), which AWS S3, MinIO and Cloudflare R2
/// honour; a server that ignores the headers (s3rver 3.7 does) gives no such guarantee, which
/// <see cref="ProbeConditionalWrites"/> finds out.
/// </summary>
public interface IConditionalSidecars : IBackupSidecars
{
    /// <summary>The record and its version (an opaque token; on S3 the ETag), or null when there is none.</summary>
    /// <exception cref="BackupException">The target cannot be read.</exception>
    (byte[] Content, string Version)? ReadSidecarVersion(string name);

    /// <summary>
    /// Writes the record if its version is still <paramref name="expectedVersion"/> (null: only if there is no record).
    /// </summary>
    /// <returns>The new version; null when the record changed meanwhile (another writer won) and nothing was written.</returns>
    /// <exception cref="BackupException">The target cannot be written.</exception>
    string? TryWriteSidecar(string name, ReadOnlySpan<byte> content, string? expectedVersion);

    /// <summary>
    /// Whether the server really refuses a create-only write of a record that exists (a probe record under
    /// <c>probe/</c>, removed afterwards). False: conditional writes are ignored and compare-and-swap is not safe here.
    /// </summary>
    /// <exception cref="BackupException">The target cannot be written.</exception>
    bool ProbeConditionalWrites();
}

namespace NativeHnsw.Backup;

/// <summary>One file of a backup, as its manifest records it.</summary>
/// <param name="Name">The file's name inside the backup (no folders).</param>
/// <param name="Role">What it holds: <c>index</c> for an index file; later <c>delta</c>, <c>database</c>, <c>collection-index</c>.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Sha256">SHA-256 of the bytes, lowercase hex.</param>
public sealed record BackupFileEntry(string Name, string Role, long Length, string Sha256);

namespace NativeHnsw.Backup.Hosting;

/// <summary>One backup as one target holds it, and the policy source it belongs to (null: none of the policy's sources).</summary>
internal sealed record CatalogEntry(string TargetName, BackupManifest Manifest, string? SourceName)
{
    public long Bytes => Manifest.Files.Sum(f => f.Length);
}

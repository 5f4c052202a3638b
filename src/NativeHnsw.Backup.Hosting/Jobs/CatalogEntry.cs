namespace NativeHnsw.Backup.Hosting;

/// <summary>One backup as one target holds it, and the policy source it belongs to (null: none of the policy's sources).</summary>
internal sealed record CatalogEntry(string TargetName, BackupManifest Manifest, string? SourceName)
{
    /// <summary>Its files' lengths: what a copy of it may add to a target at most (chunks the target holds already, and compression, make it less).</summary>
    public long Bytes => Manifest.Files.Sum(f => f.Length);
}

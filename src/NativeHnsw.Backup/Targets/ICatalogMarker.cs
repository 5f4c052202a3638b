namespace NativeHnsw.Backup;

/// <summary>
/// A target that can tell, for the price of a stat and a small read, whether its list of backups may have changed,
/// so a <see cref="ManifestCache"/> can hand out its last listing instead of listing the target again.
/// </summary>
internal interface ICatalogMarker
{
    /// <summary>
    /// A value that differs from every earlier one once a backup has been committed or deleted since it was read (read it
    /// before listing, so a change during the listing shows at the next read); null when the target cannot tell, and the
    /// catalog is listed.
    /// </summary>
    string? CatalogMarker();
}

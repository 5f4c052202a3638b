namespace NativeHnsw.Backup;

/// <summary>
/// A target whose backups can be named without looking inside them (the folders of a <see cref="LocalFolderTarget"/>):
/// a <see cref="ManifestCache"/> then checks only the backups new since its last listing for a manifest, and hands the
/// last listing out whole while the names are the same.
/// </summary>
internal interface IBackupNames
{
    /// <summary>
    /// The names of everything listed as a backup, complete or partial, sorted. Every commit and deletion, by any process,
    /// adds or removes a name, and so does a hand copy, move or removal of a backup. Not seen: a manifest removed or
    /// edited by hand inside a backup (damage, which a scrub finds: it lists without a cache). A backup deleted and copied
    /// back under its name carries the same manifest.
    /// </summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    IReadOnlyList<string> BackupNames();

    /// <summary>Whether the backup named <paramref name="id"/> has its manifest (is complete).</summary>
    bool HasManifest(string id);
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Every backup in every target of a policy, each matched to its source by the path its manifest records. This is the
/// "whole catalog" retention, tier moves and drills work over: a backup counts once, whichever targets hold it.
/// </summary>
internal sealed class PolicyCatalog
{
    private PolicyCatalog(IReadOnlyList<CatalogEntry> entries, IReadOnlyList<(string Target, BackupException Problem)> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    /// <summary>Readable backups, oldest first within each target.</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>Backups whose manifest cannot be used, per target (never deleted or moved).</summary>
    public IReadOnlyList<(string Target, BackupException Problem)> Problems { get; }

    public static PolicyCatalog Load(BackupPolicy policy, PolicyTargets targets, IEnumerable<TargetPolicy>? only = null)
    {
        var bySource = policy.Sources.ToDictionary(s => Normalize(s.Path), s => s.Name, StringComparer.Ordinal);
        var entries = new List<CatalogEntry>();
        var problems = new List<(string, BackupException)>();
        foreach (var t in only ?? policy.Targets)
        {
            var catalog = targets.Catalog(t.Name);
            foreach (var m in catalog.Backups)
                entries.Add(new CatalogEntry(t.Name, m, bySource.GetValueOrDefault(Normalize(m.Source))));
            foreach (var p in catalog.Problems)
                problems.Add((t.Name, p));
        }
        return new PolicyCatalog(entries, problems);
    }

    /// <summary>The backups of <paramref name="source"/> in <paramref name="target"/>, oldest first.</summary>
    public IEnumerable<CatalogEntry> Of(string source, string target) => Entries.Where(e => e.SourceName == source && e.TargetName == target);

    /// <summary>Distinct backups (by id) of <paramref name="source"/> over all targets, oldest first.</summary>
    public IReadOnlyList<BackupManifest> BackupsOf(string source) =>
        [.. Entries.Where(e => e.SourceName == source).DistinctBy(e => e.Manifest.Id).Select(e => e.Manifest).OrderBy(m => m.CreatedUtc).ThenBy(m => m.Id, StringComparer.Ordinal)];

    public static long StoredBytes(IBackupTarget target) => StoredBytes(target, BackupCatalog.Load(target).Backups);

    /// <summary>
    /// The bytes <paramref name="target"/> takes for <paramref name="backups"/> (its readable ones): their whole files,
    /// plus every chunk of its chunk store once, as stored (compressed, framed). A chunk shared by several backups is
    /// held once, and one no backup references any more still takes its space until a prune collects it, so the chunk
    /// store's own listing is the measure a quota needs, not the manifests' file lengths or their storedBytes (what
    /// each backup added when it was written, in whichever target that was).
    /// </summary>
    public static long StoredBytes(IBackupTarget target, IEnumerable<BackupManifest> backups) =>
        backups.Sum(m => m.Files.Where(f => f.Chunks is null).Sum(f => f.Length)) + target.Chunks.List().Sum(c => c.StoredLength);

    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}

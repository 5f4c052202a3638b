namespace NativeHnsw.Backup;

/// <summary>Applies <see cref="Retention.Plan"/> to a target.</summary>
public static class BackupPruner
{
    /// <summary>
    /// Plans over the target's readable backups and, unless <paramref name="dryRun"/>, deletes the pruned ones,
    /// newest first (so a crash midway never leaves a listed incremental whose parent is gone before it). A backup
    /// whose manifest cannot be read is never deleted: it is reported in the catalog's problems instead.
    /// </summary>
    public static PruneReport Prune(IBackupTarget target, RetentionPolicy policy, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(policy);
        var catalog = BackupCatalog.Load(target);
        var plan = Retention.Plan(catalog.Backups.Select(BackupInfo.From), policy);
        var deleted = new List<string>();
        if (!dryRun)
        {
            foreach (var b in plan.Pruned.Reverse())
            {
                target.Delete(b.Id);
                deleted.Add(b.Id);
            }
        }
        return new PruneReport(plan, deleted, catalog.Problems);
    }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>One backup of a policy's catalog, listed once whichever targets (tiers) hold it, with each copy's state.</summary>
/// <param name="Source">The policy source it belongs to, by the path its manifest records; null: none of the policy's.</param>
internal sealed record PolicyBackup(BackupManifest Backup, string? Source, IReadOnlyList<PolicyBackupCopy> Copies)
{
    /// <summary>Ok when some copy is; else the first copy's state (damaged before broken chain).</summary>
    public BackupState State => Copies.Any(c => c.State == BackupState.Ok) ? BackupState.Ok : Copies.Min(c => c.State);

    /// <summary>
    /// Every target of <paramref name="policy"/> read once: each backup with its copies, nearest tier first (the
    /// policy's target order), oldest backup first; and the folders whose manifest cannot be used, per target. A copy's
    /// state is the catalog's own check (files present with their lengths, chain whole in that target) unless a scrub
    /// marked it: then damaged or broken chain with the scrub's reason.
    /// </summary>
    public static (IReadOnlyList<PolicyBackup> Backups, IReadOnlyList<(string Target, string State, BackupException Problem)> Problems) List(BackupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        var bySource = policy.Sources.ToDictionary(s => PolicyCatalog.Normalize(s.Path), s => s.Name, StringComparer.Ordinal);
        var copies = new Dictionary<string, (BackupManifest Backup, List<PolicyBackupCopy> Copies)>(StringComparer.Ordinal);
        var problems = new List<(string, string, BackupException)>();
        foreach (var t in policy.Targets)
        {
            var catalog = targets.Catalog(t.Name);
            var marks = DamageMarks.Read(targets[t.Name]);
            foreach (var h in catalog.Check())
            {
                var copy = marks.TryGetValue(h.Backup.Id, out var mark)
                    ? new PolicyBackupCopy(t.Name, t.Tier, mark.State == DamageMark.Damaged ? BackupState.Damaged : BackupState.BrokenChain, $"marked by a scrub at {mark.FoundUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}: {mark.Reason}")
                    : new PolicyBackupCopy(t.Name, t.Tier, h.State, h.Problem?.Problem);
                if (!copies.TryGetValue(h.Backup.Id, out var entry))
                    copies[h.Backup.Id] = entry = (h.Backup, []);
                entry.Copies.Add(copy);
            }
            foreach (var p in catalog.Problems)
                problems.Add((t.Name, catalog.PartialIds.Contains(p.BackupId!) ? "partial" : "unreadable", p));
        }
        var backups = copies.Values
            .Select(e => new PolicyBackup(e.Backup, bySource.GetValueOrDefault(PolicyCatalog.Normalize(e.Backup.Source)), e.Copies))
            .OrderBy(b => b.Backup.CreatedUtc).ThenBy(b => b.Backup.Id, StringComparer.Ordinal)
            .ToList();
        return (backups, problems);
    }
}

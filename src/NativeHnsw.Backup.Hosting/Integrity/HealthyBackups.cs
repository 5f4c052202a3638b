namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Picks the backup a restore takes so that it never takes a copy a scrub marked damaged, nor one whose chain has a
/// marked, missing or unreadable link: the newest backup the selector allows, from the nearest target that holds a
/// good copy of it; failing that the next older backup. Every copy passed over is returned with its reason.
/// </summary>
public static class HealthyBackups
{
    /// <summary>Over one target.</summary>
    /// <exception cref="BackupNotFoundException">No backup matches the selector.</exception>
    /// <exception cref="BackupIntegrityException">Every matching backup is marked or has a broken chain (the reasons listed).</exception>
    public static HealthyChoice Choose(IBackupTarget target, BackupSelector selector)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(selector);
        return Choose([(target.Description, BackupCatalog.Load(target), DamageMarks.Read(target))], selector, _ => true);
    }

    /// <summary>
    /// Over several targets, <paramref name="nearestFirst"/> (a tie between copies of one backup goes to the earlier
    /// target), among the backups <paramref name="include"/> accepts.
    /// </summary>
    internal static HealthyChoice Choose(
        IReadOnlyList<(string Name, BackupCatalog Catalog, IReadOnlyDictionary<string, DamageMark> Marks)> nearestFirst,
        BackupSelector selector,
        Func<BackupManifest, bool> include)
    {
        var copies = new List<(BackupManifest Backup, int Rank)>();
        for (int rank = 0; rank < nearestFirst.Count; rank++)
        {
            foreach (var b in nearestFirst[rank].Catalog.Backups)
            {
                if (include(b) && Matches(selector, b))
                    copies.Add((b, rank));
            }
        }
        if (copies.Count == 0)
        {
            // The catalog's own message: it says whether the id is unknown, partial, or unreadable.
            if (nearestFirst.Count == 1)
                nearestFirst[0].Catalog.Select(selector);
            throw new BackupNotFoundException(selector.Id, $"no backup matches {selector} in {string.Join(", ", nearestFirst.Select(t => t.Name))}");
        }
        var skipped = new List<SkippedCopy>();
        foreach (var (backup, rank) in copies.OrderByDescending(c => c.Backup.CreatedUtc).ThenByDescending(c => c.Backup.Id, StringComparer.Ordinal).ThenBy(c => c.Rank))
        {
            var (name, catalog, marks) = nearestFirst[rank];
            if (Unusable(catalog, marks, backup) is { } reason)
            {
                skipped.Add(new SkippedCopy(backup.Id, name, reason));
                continue;
            }
            return new HealthyChoice(backup, name, skipped);
        }
        throw new BackupIntegrityException(selector.Id, $"no good copy of {selector}: " + string.Join("; ", skipped.Select(s => $"{s.BackupId} in {s.Target}: {s.Reason}")));
    }

    private static bool Matches(BackupSelector selector, BackupManifest b) =>
        selector.Id is { } id ? b.Id == id : selector.AtOrBefore is not { } t || b.CreatedUtc <= t;

    private static string? Unusable(BackupCatalog catalog, IReadOnlyDictionary<string, DamageMark> marks, BackupManifest backup)
    {
        IReadOnlyList<BackupManifest> chain;
        try
        {
            chain = catalog.ChainOf(backup);
        }
        catch (BackupChainException e)
        {
            return e.Problem;
        }
        foreach (var link in chain)
        {
            if (marks.TryGetValue(link.Id, out var mark))
            {
                return link.Id == backup.Id
                    ? $"marked {mark.State} by a scrub at {mark.FoundUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}: {mark.Reason}"
                    : $"it depends on '{link.Id}', marked {mark.State} by a scrub at {mark.FoundUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}: {mark.Reason}";
            }
        }
        return null;
    }
}

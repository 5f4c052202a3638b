namespace NativeHnsw.Backup;

/// <summary>
/// The backups of a target as read from their manifests, oldest first. A manifest that cannot be read (tampered
/// with, newer version) is not dropped silently: it is listed in <see cref="Problems"/>, and selecting it by id
/// throws its problem.
/// </summary>
public sealed class BackupCatalog
{
    private BackupCatalog(IBackupTarget target, IReadOnlyList<BackupManifest> backups, IReadOnlyList<BackupException> problems)
    {
        Target = target;
        Backups = backups;
        Problems = problems;
    }

    public IBackupTarget Target { get; }

    /// <summary>Readable backups, oldest first (by creation time, then id).</summary>
    public IReadOnlyList<BackupManifest> Backups { get; }

    /// <summary>Backups whose manifest could not be used, each naming the backup and the problem.</summary>
    public IReadOnlyList<BackupException> Problems { get; }

    /// <exception cref="BackupException">The target cannot be listed.</exception>
    public static BackupCatalog Load(IBackupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var backups = new List<BackupManifest>();
        var problems = new List<BackupException>();
        foreach (string id in target.ListIds())
        {
            try
            {
                backups.Add(target.ReadManifest(id));
            }
            catch (BackupException e)
            {
                problems.Add(e);
            }
        }
        backups.Sort(CompareByTime);
        return new BackupCatalog(target, backups, problems);
    }

    /// <summary>The backup <paramref name="selector"/> picks.</summary>
    /// <exception cref="BackupException">None matches, or the chosen one is unreadable.</exception>
    public BackupManifest Select(BackupSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.Id is { } id)
        {
            var found = Backups.FirstOrDefault(b => b.Id == id);
            if (found is not null)
                return found;
            var problem = Problems.FirstOrDefault(p => p.BackupId == id);
            if (problem is not null)
                throw problem;
            // Not listed: ask the target, whose answer says whether it is missing or partial.
            return Target.ReadManifest(id);
        }
        var candidates = selector.AtOrBefore is { } t ? Backups.Where(b => b.CreatedUtc <= t) : Backups;
        return candidates.LastOrDefault()
            ?? throw new BackupNotFoundException(null, Backups.Count == 0
                ? $"there are no backups in '{Target.Description}'"
                : $"no backup in '{Target.Description}' matches: {selector} (the oldest is {Backups[0].Id} at {Backups[0].CreatedUtc:yyyy-MM-dd'T'HH:mm:ss'Z'})");
    }

    /// <summary>The chain a restore of <paramref name="backup"/> replays: its full base first, <paramref name="backup"/> last.</summary>
    /// <exception cref="BackupException">A parent is missing or unreadable, or the chain loops.</exception>
    public IReadOnlyList<BackupManifest> ChainOf(BackupManifest backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        var chain = new List<BackupManifest> { backup };
        var seen = new HashSet<string>(StringComparer.Ordinal) { backup.Id };
        var current = backup;
        while (current.Kind == BackupKind.Incremental)
        {
            string parentId = current.Parent!;
            if (!seen.Add(parentId))
                throw new BackupChainException(backup.Id, $"broken chain: '{parentId}' appears twice (a loop)");
            var parent = Backups.FirstOrDefault(b => b.Id == parentId);
            if (parent is null)
            {
                var problem = Problems.FirstOrDefault(p => p.BackupId == parentId);
                throw new BackupChainException(backup.Id, problem is null
                    ? $"broken chain: parent '{parentId}' of '{current.Id}' is missing"
                    : $"broken chain: parent '{parentId}' of '{current.Id}' is unusable: {problem.Problem}", problem);
            }
            chain.Add(parent);
            current = parent;
        }
        chain.Reverse();
        return chain;
    }

    internal static int CompareByTime(BackupManifest x, BackupManifest y)
    {
        int c = x.CreatedUtc.CompareTo(y.CreatedUtc);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }
}

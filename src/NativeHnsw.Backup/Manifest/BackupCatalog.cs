namespace NativeHnsw.Backup;

/// <summary>
/// The backups of a target as read from their manifests, oldest first. A manifest that cannot be read (tampered
/// with, newer version) or is missing beside a backup's files (a partial backup) is not dropped silently: it is
/// listed in <see cref="Problems"/>, and selecting it by id throws its problem. <see cref="Check"/> goes further and
/// finds backups whose files are gone or whose chain is broken.
/// </summary>
public sealed class BackupCatalog
{
    private BackupCatalog(IBackupTarget target, IReadOnlyList<BackupManifest> backups, IReadOnlyList<BackupException> problems, IReadOnlyList<string> partial, ManifestCache? cache)
    {
        Cache = cache;
        Target = target;
        Backups = backups;
        Problems = problems;
        PartialIds = partial;
    }

    public IBackupTarget Target { get; }

    /// <summary>The cache the catalog was loaded through, if any: a store incremental into this target keeps its state there.</summary>
    internal ManifestCache? Cache { get; }

    /// <summary>Readable backups, oldest first (by creation time, then id).</summary>
    public IReadOnlyList<BackupManifest> Backups { get; }

    /// <summary>Backups whose manifest could not be used (partial ones included), each naming the backup and the problem.</summary>
    public IReadOnlyList<BackupException> Problems { get; }

    /// <summary>The ids among <see cref="Problems"/> that have files but no manifest: interrupted (or still running) writes.</summary>
    public IReadOnlyList<string> PartialIds { get; }

    /// <exception cref="BackupException">The target cannot be listed.</exception>
    public static BackupCatalog Load(IBackupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return LoadFrom(target, cache: null);
    }

    /// <summary>
    /// Loads the catalog, listing the target afresh but reading and parsing only the manifests
    /// <paramref name="cache"/> does not hold yet (see <see cref="ManifestCache"/>).
    /// </summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    /// <exception cref="ArgumentException"><paramref name="cache"/> belongs to another target.</exception>
    public static BackupCatalog Load(IBackupTarget target, ManifestCache cache)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cache);
        cache.CheckTarget(target);
        return LoadFrom(target, cache);
    }

    private static BackupCatalog LoadFrom(IBackupTarget target, ManifestCache? cache)
    {
        IReadOnlyList<string>? names = null;
        List<string> complete, partial;
        if (cache is not null && target is IBackupNames named)
        {
            // Named first: a change made while the rest runs adds or removes a name, which the next load sees.
            names = named.BackupNames();
            var last = cache.LastClean;
            if (last is not null && last.Names.SequenceEqual(names, StringComparer.Ordinal))
                return new BackupCatalog(target, last.Backups, [], [], cache);
            // A name the last clean listing held was complete then, and a manifest is never removed but with its backup.
            complete = [.. names.Where(id => last?.Holds(id) == true || named.HasManifest(id))];
            partial = [.. names.Except(complete, StringComparer.Ordinal)];
        }
        else
        {
            complete = [.. target.ListIds()];
            partial = [.. target.ListPartialIds().Except(complete, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        var backups = new List<BackupManifest>();
        var problems = new List<BackupException>();
        // A partial backup has no manifest to keep: only complete ones go through the cache.
        cache?.KeepOnly(complete);
        foreach (var (id, cached) in complete.Select(id => (id, cache)).Concat(partial.Select(id => (id, (ManifestCache?)null))))
        {
            try
            {
                backups.Add(cached is null ? target.ReadManifest(id) : cached.Read(target, id));
            }
            catch (BackupException e)
            {
                problems.Add(e);
            }
        }
        backups.Sort(CompareByTime);
        cache?.KeepListing(names, backups, clean: problems.Count == 0 && partial.Count == 0);
        return new BackupCatalog(target, backups, problems, partial, cache);
    }

    /// <summary>
    /// Checks every readable backup against its target, oldest first: each file its manifest lists is present with
    /// that length (the SHA-256 is checked by a restore or a drill, which read the bytes), and an incremental's chain
    /// reaches a full backup through parents that are readable and whole.
    /// </summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    public IReadOnlyList<BackupHealth> Check()
    {
        var damage = new Dictionary<string, BackupException>(StringComparer.Ordinal);
        Dictionary<string, long>? chunks = Backups.Any(b => b.Files.Any(f => f.Chunks is not null))
            ? Target.Chunks.List().ToDictionary(c => c.Sha256, c => c.StoredLength, StringComparer.Ordinal)
            : null;
        foreach (var backup in Backups)
        {
            if (FindDamage(backup, chunks) is { } problem)
                damage[backup.Id] = problem;
        }
        var health = new List<BackupHealth>(Backups.Count);
        foreach (var backup in Backups)
        {
            if (damage.TryGetValue(backup.Id, out var own))
            {
                health.Add(new BackupHealth(backup, BackupState.Damaged, own));
                continue;
            }
            BackupException? broken = null;
            try
            {
                foreach (var link in ChainOf(backup))
                {
                    if (link.Id != backup.Id && damage.TryGetValue(link.Id, out var parentDamage))
                    {
                        broken = new BackupChainException(backup.Id, $"broken chain: '{link.Id}', which it depends on, is damaged: {parentDamage.Problem}", parentDamage);
                        break;
                    }
                }
            }
            catch (BackupChainException e)
            {
                broken = e;
            }
            health.Add(broken is null ? new BackupHealth(backup, BackupState.Ok, null) : new BackupHealth(backup, BackupState.BrokenChain, broken));
        }
        return health;
    }

    private BackupIntegrityException? FindDamage(BackupManifest backup, Dictionary<string, long>? chunks)
    {
        foreach (var file in backup.Files)
        {
            foreach (var chunk in file.Chunks ?? [])
            {
                if (chunks is null || !chunks.TryGetValue(chunk.Sha256, out long stored))
                    return new BackupIntegrityException(backup.Id, $"damaged: chunk {chunk.Sha256} of '{file.Name}' is missing from {Target.Chunks.Description}");
                if (stored < ChunkCodec.HeaderBytes)
                    return new BackupIntegrityException(backup.Id, $"damaged: chunk {chunk.Sha256} of '{file.Name}' is {stored} bytes, shorter than a chunk's frame (truncated)");
            }
        }
        if (backup.Files.All(f => f.Chunks is not null))
            return null;
        IReadOnlyDictionary<string, long> present;
        try
        {
            present = Target.ListFiles(backup.Id);
        }
        catch (BackupNotFoundException e)
        {
            return new BackupIntegrityException(backup.Id, "its files are gone (deleted while listed)", e);
        }
        foreach (var file in backup.Files.Where(f => f.Chunks is null))
        {
            if (!present.TryGetValue(file.Name, out long length))
                return new BackupIntegrityException(backup.Id, $"damaged: file '{file.Name}' is missing");
            if (length != file.Length)
                return new BackupIntegrityException(backup.Id, $"damaged: file '{file.Name}' is {length} bytes, the manifest says {file.Length} (truncated or tampered with)");
        }
        return null;
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

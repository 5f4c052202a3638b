using NativeHnsw.Backup.Internal;

namespace NativeHnsw.Backup;

/// <summary>
/// The parsed manifests of one target, kept between <see cref="BackupCatalog.Load(IBackupTarget, ManifestCache)"/>
/// calls so a process that loads the same target's catalog often (a scheduler running a job every hour) reads and
/// parses each manifest once. A load lists the target afresh, so a backup written or deleted by anyone else since the
/// last load is seen, and a backup no longer listed leaves the cache. A target whose backups can be named without
/// looking inside them (a local folder) is only named: after a listing with no partial or unreadable backup, the next
/// load checks for a manifest only the names new since, and hands the last listing out whole while the names are the
/// same (see <see cref="IBackupNames"/> for what that cannot see). What is cached is safe to reuse because a
/// committed manifest never changes (a writer commits it last and a backup is never rewritten in place; a copy of a
/// backup elsewhere carries the same manifest). A scrub, which judges what the target holds now, loads without a cache.
/// Thread-safe.
/// </summary>
/// <remarks>
/// It also keeps the record state (a digest per record) of the newest few store incrementals written through a
/// catalog it loaded, so the next incremental of that store diffs against it instead of reading and re-applying its
/// parent's chain of state patches. Such a state is the one its backup's files encode (the same computation wrote
/// them); damage to those files since is what a scrub, a drill or the restore itself finds.
/// </remarks>
public sealed class ManifestCache
{
    /// <summary>States kept: one per store a scheduler backs up into this target, a few stores at most.</summary>
    private const int MaxStates = 4;

    private readonly object _gate = new();
    private readonly Dictionary<string, BackupManifest> _byId = new(StringComparer.Ordinal);
    private readonly List<(string Id, StoreState State)> _states = [];

    // The last clean listing (every listed backup readable, none partial): the names read before it, and its backups
    // oldest first.
    private CleanListing? _listing;

    /// <param name="target">The target this cache belongs to; a load of any other target with it is refused.</param>
    public ManifestCache(IBackupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target.Description;
    }

    /// <summary>The <see cref="IBackupTarget.Description"/> of the target the cache belongs to.</summary>
    public string Target { get; }

    /// <summary>How many manifests it holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _byId.Count;
        }
    }

    /// <summary>How many manifests loads have read from the target (not found in the cache) so far.</summary>
    public long Reads { get; private set; }

    /// <summary>How many loads have listed the target: all but those that found the names of the last clean listing.</summary>
    public long Listings { get; private set; }

    /// <summary>Forgets every manifest (after losing the target's lease, say), so the next load reads them all again.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _byId.Clear();
            _states.Clear();
            _listing = null;
        }
    }

    /// <summary>The last listing that held no partial or unreadable backup, if any.</summary>
    internal CleanListing? LastClean
    {
        get
        {
            lock (_gate)
                return _listing;
        }
    }

    /// <summary>Counts a listing, and keeps it when it is clean and its names are known (forgets the last otherwise).</summary>
    internal void KeepListing(IReadOnlyList<string>? names, IReadOnlyList<BackupManifest> backups, bool clean)
    {
        lock (_gate)
        {
            Listings++;
            _listing = names is not null && clean ? new CleanListing(names, backups) : null;
        }
    }

    /// <summary>A listing's names (as read before it) and its backups, all complete and readable, oldest first.</summary>
    internal sealed class CleanListing(IReadOnlyList<string> names, IReadOnlyList<BackupManifest> backups)
    {
        private readonly HashSet<string> _ids = new(names, StringComparer.Ordinal);

        public IReadOnlyList<string> Names { get; } = names;

        public IReadOnlyList<BackupManifest> Backups { get; } = backups;

        public bool Holds(string id) => _ids.Contains(id);
    }

    /// <summary>The record state of the store backup <paramref name="id"/>, when kept.</summary>
    internal StoreState? StateOf(string id)
    {
        lock (_gate)
            return _states.FirstOrDefault(s => s.Id == id).State;
    }

    /// <summary>Keeps the record state of a store backup just written, forgetting the oldest kept beyond a few.</summary>
    internal void KeepState(string id, StoreState state)
    {
        lock (_gate)
        {
            _states.RemoveAll(s => s.Id == id);
            _states.Add((id, state));
            if (_states.Count > MaxStates)
                _states.RemoveAt(0);
        }
    }

    /// <summary>The cached manifest of <paramref name="id"/>, else the target's (then kept).</summary>
    internal BackupManifest Read(IBackupTarget target, string id)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(id, out var cached))
                return cached;
        }
        var manifest = target.ReadManifest(id);
        lock (_gate)
        {
            _byId[id] = manifest;
            Reads++;
        }
        return manifest;
    }

    /// <summary>Drops the manifests of backups the target no longer lists.</summary>
    internal void KeepOnly(IReadOnlyCollection<string> listed)
    {
        var set = listed.ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (string id in _byId.Keys.Where(id => !set.Contains(id)).ToList())
                _byId.Remove(id);
            _states.RemoveAll(s => !set.Contains(s.Id));
        }
    }

    /// <exception cref="ArgumentException"><paramref name="target"/> is not the cache's target.</exception>
    internal void CheckTarget(IBackupTarget target)
    {
        if (!string.Equals(target.Description, Target, StringComparison.Ordinal))
            throw new ArgumentException($"the manifest cache of '{Target}' cannot be used for the target '{target.Description}'", nameof(target));
    }
}

using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    private JobRunResult Snapshot(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            cancellationToken.ThrowIfCancellationRequested();
            events.Add(Full(policy, source, policy.Target(job.Target ?? source.Target), targets, reason: null));
        }
        return JobRunResult.From(events, Summary(events, "backed up"));
    }

    private JobRunResult Incremental(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = policy.Target(job.Target ?? source.Target);
            if (source.Type == SourceType.Index)
            {
                events.Add(new JobEvent(source.Name, JobEventKind.Skipped, Target: target.Name,
                    Message: "an index file has no incremental backups (each backup is the whole file); the snapshot job covers it"));
                continue;
            }
            try
            {
                var opened = targets[target.Name];
                // Read before anything of the store is copied: a change committed after it only makes the next stamp differ.
                string stamp = ChangeStamp(source);
                // Unchanged since the backup this runner made last from a store with this very stamp, and that backup is
                // still in the target and not marked by a scrub: it holds everything an incremental would. A newer one made
                // meanwhile by anyone else holds the same content, so the skip needs no catalog; a backup gone (pruned,
                // moved to another tier), marked, or a restart takes the full path below.
                if (_stamps.TryGetValue((target.Name, source.Name), out var last) && last.Stamp == stamp && StillHeld(opened, last.BackupId) is { } held
                    && !DamageMarks.IsMarked(opened, held.Id))
                {
                    events.Add(Unchanged(source, target, held));
                    continue;
                }
                // The parent is this source's newest backup in this target: the library's default (the newest store backup of
                // any store) would chain two stores sharing a target to each other.
                var catalog = targets.Catalog(target.Name);
                string path = PolicyCatalog.Normalize(source.Path);
                // A backup a scrub marked (damaged, or its chain broken) is never a parent: an incremental on it would not
                // restore. The newest unmarked one is (the delta is against its own record state, however old).
                var marks = DamageMarks.Read(opened);
                var ofSource = catalog.Backups.Where(b => b.SourceKind == BackupSourceKind.Store && PolicyCatalog.Normalize(b.Source) == path).ToList();
                var parent = ofSource.LastOrDefault(b => !marks.ContainsKey(b.Id));
                if (parent is null)
                {
                    events.Add(Full(policy, source, target, targets, ofSource.Count == 0
                        ? $"no backup of '{source.Name}' in '{target.Name}' to chain to: took a full backup instead"
                        : $"every backup of '{source.Name}' in '{target.Name}' is marked by a scrub, none to chain to: took a full backup instead"));
                    continue;
                }
                if (OverQuota(target, opened, SizeOf(source), catalog) is { } over)
                {
                    events.Add(new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: over));
                    continue;
                }
                var manifest = StoreBackup.BackupIncremental(source.Path, catalog, parent.Id, Options(policy));
                _stamps[(target.Name, source.Name)] = (manifest.Id, stamp);
                events.Add(Made(source, target, manifest, $"incremental on {parent.Id}"));
            }
            catch (Exception e) when (IsExpected(e))
            {
                events.Add(new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: e.Message));
            }
        }
        return JobRunResult.From(events, Summary(events, "backed up"));
    }

    private JobEvent Full(BackupPolicy policy, SourcePolicy source, TargetPolicy target, PolicyTargets targets, string? reason)
    {
        try
        {
            var opened = targets[target.Name];
            if (OverQuota(target, opened, SizeOf(source), target.QuotaGb is null ? null : targets.Catalog(target.Name)) is { } over)
                return new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: over);
            string? stamp = source.Type == SourceType.Store ? ChangeStamp(source) : null;
            var manifest = source.Type == SourceType.Index
                ? IndexBackup.BackupFile(source.Path, opened, Options(policy))
                : StoreBackup.Backup(source.Path, opened, Options(policy));
            if (stamp is not null)
                _stamps[(target.Name, source.Name)] = (manifest.Id, stamp);
            return Made(source, target, manifest, reason ?? "full");
        }
        catch (Exception e) when (IsExpected(e))
        {
            return new JobEvent(source.Name, JobEventKind.BackupFailed, Target: target.Name, Message: e.Message);
        }
    }

    private static JobEvent Unchanged(SourcePolicy source, TargetPolicy target, BackupManifest since) =>
        new(source.Name, JobEventKind.Unchanged, since.Id, BackupCreatedUtc: since.CreatedUtc, Target: target.Name,
            Message: $"skipped: unchanged since {since.Id}");

    /// <summary>The manifest of <paramref name="id"/> as the target holds it now; null when it holds no such backup (or it cannot be read).</summary>
    private static BackupManifest? StillHeld(IBackupTarget target, string id)
    {
        try
        {
            return target.ReadManifest(id);
        }
        catch (BackupException)
        {
            return null;
        }
    }

    /// <summary>The store's change stamp, through a watch kept per store folder for the life of this executor.</summary>
    private string ChangeStamp(SourcePolicy source)
    {
        var watch = _watches.GetOrAdd(PolicyCatalog.Normalize(source.Path), folder => new StoreChangeWatch(folder));
        lock (watch)
            return watch.Read();
    }

    private static JobEvent Made(SourcePolicy source, TargetPolicy target, BackupManifest manifest, string message) =>
        new(source.Name, JobEventKind.BackupMade, manifest.Id, manifest.Files.Sum(f => f.Length), manifest.CreatedUtc, Target: target.Name, Message: message);
}

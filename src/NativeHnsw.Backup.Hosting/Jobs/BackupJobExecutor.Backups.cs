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
                string stamp = PersistentClient.ReadChangeStamp(source.Path);
                // The parent is this source's newest backup in this target: the library's default (the newest store backup of
                // any store) would chain two stores sharing a target to each other.
                var catalog = targets.Catalog(target.Name);
                string path = PolicyCatalog.Normalize(source.Path);
                var parent = catalog.Backups.LastOrDefault(b => b.SourceKind == BackupSourceKind.Store && PolicyCatalog.Normalize(b.Source) == path);
                if (parent is null)
                {
                    events.Add(Full(policy, source, target, targets, $"no backup of '{source.Name}' in '{target.Name}' to chain to: took a full backup instead"));
                    continue;
                }
                // Unchanged since the newest backup, which this runner made from a store with this very stamp: it holds
                // everything an incremental would. A newer backup made by anyone else, or a restart, takes a real one.
                if (_stamps.TryGetValue((target.Name, source.Name), out var last) && last.BackupId == parent.Id && last.Stamp == stamp)
                {
                    events.Add(new JobEvent(source.Name, JobEventKind.Unchanged, parent.Id, BackupCreatedUtc: parent.CreatedUtc, Target: target.Name,
                        Message: $"skipped: unchanged since {parent.Id}"));
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
            string? stamp = source.Type == SourceType.Store ? PersistentClient.ReadChangeStamp(source.Path) : null;
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

    private static JobEvent Made(SourcePolicy source, TargetPolicy target, BackupManifest manifest, string message) =>
        new(source.Name, JobEventKind.BackupMade, manifest.Id, manifest.Files.Sum(f => f.Length), manifest.CreatedUtc, Target: target.Name, Message: message);
}

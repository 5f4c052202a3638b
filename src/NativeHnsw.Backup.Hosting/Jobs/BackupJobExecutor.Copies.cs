namespace NativeHnsw.Backup.Hosting;

public sealed partial class BackupJobExecutor
{
    /// <summary>
    /// Replication: every backup of the job's sources that the offsite target lacks is copied there (oldest first, so an
    /// incremental's parent arrives before it) and verified by read-back. Copies already there are left as they are.
    /// </summary>
    private JobRunResult Offsite(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var offsite = policy.Target(OffsiteTargetOf(policy, job));
        var catalog = PolicyCatalog.Load(policy, targets);
        var there = catalog.Entries.Where(e => e.TargetName == offsite.Name).Select(e => e.Manifest.Id).ToHashSet(StringComparer.Ordinal);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            var missing = catalog.Entries
                .Where(e => e.SourceName == source.Name && e.TargetName != offsite.Name && !there.Contains(e.Manifest.Id))
                .DistinctBy(e => e.Manifest.Id)
                .OrderBy(e => e.Manifest.CreatedUtc).ThenBy(e => e.Manifest.Id, StringComparer.Ordinal);
            foreach (var entry in missing)
            {
                cancellationToken.ThrowIfCancellationRequested();
                events.Add(CopyOne(source, entry, offsite, targets, cancellationToken, "copied offsite"));
                there.Add(entry.Manifest.Id);
            }
        }
        return JobRunResult.From(events, Summary(events, "copied"));
    }

    /// <summary>
    /// Tier moves, only toward colder tiers. A chain (a full backup and the incrementals on it in one target) moves as a whole, when its newest
    /// member's age puts it in another tier: to the first target of that tier (in policy order), each backup copied and
    /// verified there before the chain is deleted from where it was (newest first). A chain is never split across tiers,
    /// so every target can restore every backup it lists.
    /// </summary>
    private JobRunResult MoveTiers(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var catalog = PolicyCatalog.Load(policy, targets);
        var events = new List<JobEvent>();
        foreach (var source in policy.SourcesOf(job))
        {
            foreach (var from in policy.Targets)
            {
                foreach (var chain in Chains(catalog.Of(source.Name, from.Name).ToList()))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string? tier = policy.TierFor(now - chain[^1].Manifest.CreatedUtc);
                    // Only ever toward colder tiers (later rules): an offsite copy in a cold target is not pulled back
                    // into a hot one because it is young, and a target whose tier has no rule is left alone.
                    if (tier is null || RankOf(policy, tier) <= RankOf(policy, from.Tier))
                        continue;
                    var to = policy.Targets.FirstOrDefault(t => t.Tier == tier);
                    if (to is null)
                        continue;
                    var copied = new List<JobEvent>();
                    foreach (var entry in chain)
                    {
                        bool present = catalog.Entries.Any(e => e.TargetName == to.Name && e.Manifest.Id == entry.Manifest.Id);
                        copied.Add(present
                            ? new JobEvent(source.Name, JobEventKind.Skipped, entry.Manifest.Id, Target: to.Name, Message: $"already in '{to.Name}'")
                            : CopyOne(source, entry, to, targets, cancellationToken, $"moved from '{from.Name}' ({from.Tier}) to '{to.Name}' ({tier})"));
                    }
                    events.AddRange(copied);
                    if (copied.Any(e => e.Kind == JobEventKind.BackupFailed))
                        continue;
                    foreach (var entry in Enumerable.Reverse(chain))
                    {
                        try
                        {
                            targets[from.Name].Delete(entry.Manifest.Id);
                            events.Add(new JobEvent(source.Name, JobEventKind.Removed, entry.Manifest.Id, Target: from.Name, Message: $"moved to '{to.Name}'"));
                        }
                        catch (Exception e) when (IsExpected(e))
                        {
                            events.Add(new JobEvent(source.Name, JobEventKind.BackupFailed, entry.Manifest.Id, Target: from.Name, Message: "copied, but cannot remove the original: " + e.Message));
                        }
                    }
                }
            }
        }
        return JobRunResult.From(events, Summary(events, "moved"));
    }

    /// <summary>The position of a tier's first rule (colder tiers come later); int.MaxValue when no rule names it, so nothing moves from it.</summary>
    private static int RankOf(BackupPolicy policy, string tier)
    {
        for (int i = 0; i < policy.Tiers.Count; i++)
        {
            if (policy.Tiers[i].Tier == tier)
                return i;
        }
        return int.MaxValue;
    }

    /// <summary>Groups one target's backups of one source into chains (a full and its descendants), each oldest first.</summary>
    private static List<List<CatalogEntry>> Chains(List<CatalogEntry> entries)
    {
        var byId = entries.ToDictionary(e => e.Manifest.Id, StringComparer.Ordinal);
        string RootOf(CatalogEntry e)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var current = e;
            while (current.Manifest.Parent is { } p && byId.TryGetValue(p, out var parent) && seen.Add(p))
                current = parent;
            return current.Manifest.Id;
        }
        return [.. entries.GroupBy(RootOf, StringComparer.Ordinal)
            .Select(g => g.OrderBy(e => e.Manifest.CreatedUtc).ThenBy(e => e.Manifest.Id, StringComparer.Ordinal).ToList())];
    }

    private JobEvent CopyOne(SourcePolicy source, CatalogEntry entry, TargetPolicy to, PolicyTargets targets, CancellationToken cancellationToken, string message)
    {
        try
        {
            var destination = targets[to.Name];
            if (OverQuota(to, destination, entry.Bytes, to.QuotaGb is null ? null : targets.Catalog(to.Name)) is { } over)
                return new JobEvent(source.Name, JobEventKind.BackupFailed, entry.Manifest.Id, Target: to.Name, Message: over);
            long bytes = BackupCopier.Copy(targets[entry.TargetName], destination, entry.Manifest, cancellationToken);
            return new JobEvent(source.Name, JobEventKind.BackupMade, entry.Manifest.Id, bytes, entry.Manifest.CreatedUtc, Target: to.Name, Message: message);
        }
        catch (Exception e) when (IsExpected(e))
        {
            return new JobEvent(source.Name, JobEventKind.BackupFailed, entry.Manifest.Id, Target: to.Name, Message: e.Message);
        }
    }
}

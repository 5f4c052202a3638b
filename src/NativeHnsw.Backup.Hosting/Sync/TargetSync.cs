namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Copies the backups one target lacks from another (<c>nhnsw sync</c>): oldest first, so a parent lands before its
/// incrementals; each one through <see cref="BackupCopier"/> (files streamed and checked, the manifest last, then every
/// file read back from the destination and its SHA-256 checked). Idempotent: what the destination holds with the same
/// manifest is skipped. Resumable: a copy cut short leaves no manifest, so the destination does not list it and the
/// next run copies it again (the leftover is swept by a prune).
/// </summary>
public static class TargetSync
{
    /// <param name="since">Only backups taken at or after this instant, plus the ancestors they need that the destination lacks.</param>
    /// <exception cref="BackupException">Either target cannot be listed.</exception>
    public static SyncReport Run(IBackupTarget from, IBackupTarget to, DateTimeOffset? since, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var source = BackupCatalog.Load(from);
        var marks = DamageMarks.Read(from);
        var there = BackupCatalog.Load(to).Backups.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var chainProblem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var b in source.Backups.Where(b => since is not { } t || b.CreatedUtc >= t))
        {
            wanted.Add(b.Id);
            try
            {
                foreach (var link in source.ChainOf(b))
                    wanted.Add(link.Id);
            }
            catch (BackupChainException e)
            {
                chainProblem[b.Id] = e.Problem;
            }
        }
        var items = new List<SyncItem>();
        var notCopied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in source.Backups.Where(b => wanted.Contains(b.Id)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long bytes = b.Files.Sum(f => f.Length);
            if (there.TryGetValue(b.Id, out var existing))
            {
                bool same = existing.Files.Count == b.Files.Count && existing.Files.Zip(b.Files).All(p => p.First.Name == p.Second.Name && p.First.Sha256 == p.Second.Sha256);
                items.Add(same
                    ? new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.Skipped, bytes, "already there")
                    : new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.Failed, bytes, $"{to.Description} holds another backup under this id (its files differ); left alone"));
                continue;
            }
            string? reason = marks.TryGetValue(b.Id, out var mark) ? $"marked {mark.State} at the source by a scrub: {mark.Reason}"
                : chainProblem.GetValueOrDefault(b.Id)
                ?? (b.Parent is { } p && notCopied.Contains(p) ? $"its parent '{p}' was not copied" : null);
            if (reason is not null)
            {
                notCopied.Add(b.Id);
                items.Add(new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.Failed, bytes, reason));
                continue;
            }
            if (dryRun)
            {
                items.Add(new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.WouldCopy, bytes, null));
                continue;
            }
            try
            {
                long copied = BackupCopier.Copy(from, to, b, cancellationToken);
                items.Add(new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.Copied, copied, null));
            }
            catch (BackupException e)
            {
                notCopied.Add(b.Id);
                items.Add(new SyncItem(b.Id, b.CreatedUtc, SyncOutcome.Failed, bytes, e.Message));
            }
        }
        return new SyncReport(from.Description, to.Description, dryRun, items);
    }
}

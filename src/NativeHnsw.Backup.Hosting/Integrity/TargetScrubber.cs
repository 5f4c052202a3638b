namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Re-reads every file of every backup in a target (a chunked one through its chunks, each checked against its key)
/// and checks its length and SHA-256 against the manifest, then each
/// incremental's chain. A damaged copy, and an incremental that depends on one (or on a parent that is gone), is marked
/// (<see cref="DamageMarks"/>); a copy found whole again loses its mark. Manifests are never edited.
/// </summary>
public static class TargetScrubber
{
    /// <param name="include">Which backups to check (default: all); a chain is still judged by every link in the target.</param>
    /// <param name="mark">Write and clear marks (false: only report; a target without sidecars is then fine).</param>
    /// <exception cref="BackupException">The target cannot be listed, or a mark cannot be written.</exception>
    public static ScrubReport Scrub(IBackupTarget target, TimeProvider time, CancellationToken cancellationToken, Func<BackupManifest, bool>? include = null, bool mark = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(time);
        var catalog = BackupCatalog.Load(target);
        var marks = DamageMarks.Read(target);
        var damaged = new Dictionary<string, string>(StringComparer.Ordinal);
        var checkedOnes = catalog.Backups.Where(b => include?.Invoke(b) ?? true).ToList();
        var needed = new HashSet<string>(checkedOnes.Select(b => b.Id), StringComparer.Ordinal);
        // The links the checked backups depend on are hashed too: a chain is only as good as its links.
        foreach (var b in checkedOnes)
        {
            foreach (var link in SafeChain(catalog, b))
                needed.Add(link.Id);
        }
        foreach (var b in catalog.Backups.Where(b => needed.Contains(b.Id)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                BackupCopier.Verify(target, b, cancellationToken);
            }
            catch (BackupException e)
            {
                damaged[b.Id] = e.Problem;
            }
        }
        var now = time.GetUtcNow();
        var findings = new List<ScrubFinding>(checkedOnes.Count);
        foreach (var b in checkedOnes)
        {
            var (state, problem) = Judge(catalog, b, damaged);
            bool cleared = false;
            if (mark && state != BackupState.Ok)
            {
                string kind = state == BackupState.Damaged ? DamageMark.Damaged : DamageMark.BrokenChain;
                // A mark keeps its first finding time while the damage stays the same.
                var first = marks.TryGetValue(b.Id, out var old) && old.Reason == problem ? old.FoundUtc : now;
                DamageMarks.Set(target, new DamageMark(b.Id, first, kind, problem!));
            }
            else if (mark && marks.ContainsKey(b.Id))
            {
                cleared = DamageMarks.Clear(target, b.Id);
            }
            findings.Add(new ScrubFinding(b, state, problem, cleared));
        }
        return new ScrubReport(target.Description, findings, catalog.Problems);
    }

    private static (BackupState, string?) Judge(BackupCatalog catalog, BackupManifest b, Dictionary<string, string> damaged)
    {
        if (damaged.TryGetValue(b.Id, out var own))
            return (BackupState.Damaged, own);
        try
        {
            foreach (var link in catalog.ChainOf(b))
            {
                if (link.Id != b.Id && damaged.TryGetValue(link.Id, out var parent))
                    return (BackupState.BrokenChain, $"broken chain: '{link.Id}', which it depends on, is damaged: {parent}");
            }
        }
        catch (BackupChainException e)
        {
            return (BackupState.BrokenChain, e.Problem);
        }
        return (BackupState.Ok, null);
    }

    private static IReadOnlyList<BackupManifest> SafeChain(BackupCatalog catalog, BackupManifest b)
    {
        try
        {
            return catalog.ChainOf(b);
        }
        catch (BackupChainException)
        {
            return [b];
        }
    }
}

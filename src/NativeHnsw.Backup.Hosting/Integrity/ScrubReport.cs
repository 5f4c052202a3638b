namespace NativeHnsw.Backup.Hosting;

/// <summary>What <see cref="TargetScrubber.Scrub"/> found in one target: every readable backup checked, and those whose manifest could not be used.</summary>
public sealed record ScrubReport(string Target, IReadOnlyList<ScrubFinding> Findings, IReadOnlyList<BackupException> Unreadable)
{
    /// <summary>Backups that are damaged, have a broken chain, or cannot be read at all.</summary>
    public int DamagedCount => Findings.Count(f => f.State != BackupState.Ok) + Unreadable.Count;
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// What a scrub recorded of one damaged backup copy in one target: a sidecar record (<c>.nhnsw/scrub/ID.json</c>),
/// never an edit of the backup's manifest. Restores, drills and syncs skip a marked copy; a later scrub that finds the
/// copy whole again (repaired by hand, re-copied) removes the mark.
/// </summary>
/// <param name="State">Why: <c>damaged</c> (a file is missing or fails its SHA-256) or <c>brokenChain</c> (a link it depends on is damaged or gone).</param>
public sealed record DamageMark(string BackupId, DateTimeOffset FoundUtc, string State, string Reason)
{
    public const string Damaged = "damaged";
    public const string BrokenChain = "brokenChain";
}

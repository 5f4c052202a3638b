namespace NativeHnsw.Backup.Hosting;

/// <summary>What <see cref="TargetSync.Run"/> did, one item per backup considered, oldest first.</summary>
public sealed record SyncReport(string From, string To, bool DryRun, IReadOnlyList<SyncItem> Items)
{
    public int Copied => Items.Count(i => i.Outcome == SyncOutcome.Copied);

    public int Skipped => Items.Count(i => i.Outcome == SyncOutcome.Skipped);

    public int Failed => Items.Count(i => i.Outcome == SyncOutcome.Failed);

    public int WouldCopy => Items.Count(i => i.Outcome == SyncOutcome.WouldCopy);

    public long BytesCopied => Items.Where(i => i.Outcome == SyncOutcome.Copied).Sum(i => i.Bytes);
}

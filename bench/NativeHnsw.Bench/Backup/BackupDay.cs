namespace NativeHnsw.Bench.Backup;

/// <summary>One day of the backup mode, for the index or the store: the size backed up and, per way of backing up, the bytes it added to its target and its time.</summary>
public sealed record BackupDay(
    string Source, int Day, long Records, long SourceBytes, long WholeBytes, double WholeSeconds, long ChunkedBytes, double ChunkedSeconds, long? DeltaBytes, double? DeltaSeconds);

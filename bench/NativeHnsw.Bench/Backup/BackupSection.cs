namespace NativeHnsw.Bench.Backup;

/// <summary>One section (or kind of file) on day 1: its bytes, the bytes of its chunks that day 0 did not have, and how those compress.</summary>
public sealed record BackupSection(string Name, long Bytes, long NewBytes, long NewStoredBytes, long ZstdBytes);

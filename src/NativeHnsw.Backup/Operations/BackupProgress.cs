namespace NativeHnsw.Backup;

/// <summary>Progress of a long step: bytes (or items) done out of a total, for a progress bar.</summary>
public readonly record struct BackupProgress(string Step, long Done, long Total);

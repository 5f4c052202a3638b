namespace NativeHnsw.Backup;

/// <summary>What a backup holds: everything, or only the changes since its parent.</summary>
public enum BackupKind
{
    /// <summary>A whole snapshot; restorable on its own. Has no parent.</summary>
    Full = 0,

    /// <summary>The records added, updated and deleted since <see cref="BackupManifest.Parent"/>; restored by replaying its chain onto the full backup at its root.</summary>
    Incremental = 1,
}

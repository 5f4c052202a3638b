namespace NativeHnsw.Backup;

/// <summary>What <see cref="BackupCatalog.Check"/> found of one readable backup.</summary>
public enum BackupState
{
    /// <summary>Every file is present with its length, and (for an incremental) its chain is whole.</summary>
    Ok,

    /// <summary>A file is missing or has another length than its manifest says.</summary>
    Damaged,

    /// <summary>An incremental whose chain has a missing, unreadable or damaged link.</summary>
    BrokenChain,
}

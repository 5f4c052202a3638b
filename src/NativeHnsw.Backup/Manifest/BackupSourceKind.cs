namespace NativeHnsw.Backup;

/// <summary>What was backed up.</summary>
public enum BackupSourceKind
{
    /// <summary>One index file (docs/FORMAT.md).</summary>
    Index = 0,

    /// <summary>A whole persistent store (a <c>PersistentClient</c> folder).</summary>
    Store = 1,
}

namespace NativeHnsw.Storage;

/// <summary>What a write has survived once it returns. Every level commits a batch as one transaction (group commit).</summary>
public enum Durability
{
    /// <summary>
    /// The change survives a crash of the process (kill -9, an unhandled exception, a failed host); a power
    /// loss or an OS crash can lose the last commits, never corrupt the store. SQLite WAL with
    /// <c>synchronous=NORMAL</c>: a commit is written to the OS, the WAL is fsynced at checkpoints.
    /// </summary>
    Process = 0,

    /// <summary>
    /// The change also survives power loss and OS crashes: the WAL is fsynced before a commit returns
    /// (<c>synchronous=FULL</c>). Costs one fsync per write call, so batch writes.
    /// </summary>
    Strict = 1,
}

namespace NativeHnsw.Backup;

/// <summary>One backup as <see cref="BackupCatalog.Check"/> found it.</summary>
/// <param name="Problem">Why it is not <see cref="BackupState.Ok"/> (a <see cref="BackupIntegrityException"/> or a <see cref="BackupChainException"/>); null when it is.</param>
public sealed record BackupHealth(BackupManifest Backup, BackupState State, BackupException? Problem);

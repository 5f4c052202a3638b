namespace NativeHnsw.Backup;

/// <summary>What retention needs to know of a backup.</summary>
public sealed record BackupInfo(string Id, DateTimeOffset CreatedUtc, BackupKind Kind, string? Parent)
{
    public static BackupInfo From(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new BackupInfo(manifest.Id, manifest.CreatedUtc, manifest.Kind, manifest.Parent);
    }
}

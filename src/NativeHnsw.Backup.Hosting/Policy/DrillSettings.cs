namespace NativeHnsw.Backup.Hosting;

/// <summary>Where drills restore to; each drill restores into a fresh folder under it and deletes it after.</summary>
public sealed record DrillSettings
{
    /// <summary>Scratch folder (never a live path); null: the system temp folder.</summary>
    public string? ScratchFolder { get; init; }
}

namespace NativeHnsw.Backup.Hosting;

/// <summary>One backup copy as a scrub found it; <paramref name="Problem"/> is null when it is <see cref="BackupState.Ok"/>.</summary>
/// <param name="Cleared">A mark of an earlier scrub was removed because the copy is whole now.</param>
public sealed record ScrubFinding(BackupManifest Backup, BackupState State, string? Problem, bool Cleared = false);

namespace NativeHnsw.Backup;

/// <summary>One step of a restore, what it checked, and how long it took.</summary>
public sealed record RestoreStep(string Name, string Detail, TimeSpan Elapsed);

using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Backup;

/// <summary>A backup-mode run (serialised as results.json).</summary>
public sealed record BackupReport(
    string Command, DateTimeOffset StartedAt, MachineInfo Machine, BackupSettings Settings, IReadOnlyList<BackupDay> Days, IReadOnlyList<BackupSection> Sections,
    double IndexRestoreWholeSeconds, double IndexRestoreChunkedSeconds, IReadOnlyList<string> Notes, IReadOnlyList<double>? StoreRestoreSeconds = null,
    IReadOnlyList<BackupRestoreSteps>? RestoreSteps = null);

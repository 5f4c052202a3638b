using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Reports;

/// <summary>The lines that say what a run measured and on what: machine, CPU features, runtime, engine versions.</summary>
public static class ReportHeader
{
    public static IReadOnlyList<string> Lines(string command, DateTimeOffset startedAt, MachineInfo machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        return
        [
            $"command: {command}",
            ReportTables.F($"started: {startedAt:yyyy-MM-dd HH:mm:ss zzz}"),
            ReportTables.F($"machine: {machine.Cpu}, {machine.Cores} cores; CPU features: {machine.CpuFeatures}"),
            $"runtime: {machine.Runtime}; OS: {machine.Os}",
            "engines: " + string.Join("; ", machine.EngineVersions.Select(kv => $"{kv.Key} {kv.Value}")),
        ];
    }
}

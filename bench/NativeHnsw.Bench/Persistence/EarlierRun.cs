using System.Text.Json;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Reports;

namespace NativeHnsw.Bench.Persistence;

/// <summary>
/// The persistence figures of an earlier comparison run (its results.json), as rows of a persistence report at that
/// run's index size: a 1M scale run already saves, loads and opens every engine in rounds, so the size plot can reach
/// 1M without building every engine at 1M a second time. Each row says where it comes from.
/// </summary>
public static class EarlierRun
{
    public static RunReport Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new BenchInputException($"--add-run '{path}': no such file (give the results.json of a comparison run).");
        try
        {
            return JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), JsonReport.Options) is { Engines: not null } report
                ? report
                : throw new BenchInputException($"--add-run '{path}': not the results.json of a comparison run.");
        }
        catch (JsonException e)
        {
            throw new BenchInputException($"--add-run '{path}': not the results.json of a comparison run ({e.Message}).");
        }
    }

    /// <summary>
    /// The run's rows: our index in depth (from NativeHnsw and NativeHnsw-mmap) when NativeHnsw saved, and one peer row
    /// per requested engine that saved. The run must have the report's dimensions and M, and a size of its own.
    /// </summary>
    public static (PersistenceSizeResult? Ours, IReadOnlyList<PeerSizeResult> Peers) Rows(RunReport run, string path, PersistenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        if (run.Dimensions != settings.Dimensions || run.M != settings.M)
            throw new BenchInputException($"--add-run '{path}': the run has {run.Dimensions} dims and M={run.M}; this one {settings.Dimensions} and M={settings.M}.");
        if (settings.Sizes.Contains(run.BaseCount))
            throw new BenchInputException($"--add-run '{path}': its {run.BaseCount:N0} vectors are also in --sizes; drop one of them.");
        var engines = settings.Engines ?? PeerPersistence.Supported;
        EngineResult? Find(string name) => run.Engines.FirstOrDefault(e => e.Engine == name && e.Available && e.Persistence is { SaveMs: not null, LoadMs: not null });
        var peers = new List<PeerSizeResult>();
        var mapped = run.Engines.FirstOrDefault(e => e.Engine == EngineNames.NativeHnswMapped && e.Available)?.Persistence;
        foreach (string name in engines)
        {
            if (Find(name) is not { } e)
                continue;
            var p = e.Persistence!;
            var open = name == EngineNames.NativeHnsw ? mapped?.OpenMs : p.OpenMs;
            peers.Add(new PeerSizeResult(name, run.BaseCount, e.BuildAllCores?.Seconds ?? double.NaN, p.FileBytes, p.SavesWithFsync,
                p.SaveMs!, p.DurableSaveMs ?? p.SaveMs!, p.LoadMs!, open));
        }
        PersistenceSizeResult? ours = null;
        if (Find(EngineNames.NativeHnsw) is { Persistence.VerifyMs: not null } mine && mapped?.OpenMs is not null && run.Limits is not null)
        {
            var p = mine.Persistence!;
            ours = new PersistenceSizeResult(run.BaseCount, run.Dimensions, run.EfConstruction, mine.BuildAllCores?.Seconds ?? double.NaN,
                p.FileBytes, (double)p.FileBytes / run.BaseCount, p.MemoryBytesPerVector ?? double.NaN,
                p.SaveMs!, p.LoadMs!, mapped.OpenMs, p.VerifyMs!,
                p.FirstQueryAfterLoadUs ?? double.NaN, mapped.FirstQueryAfterOpenUs ?? double.NaN, mapped.FirstQueryColdUs, run.Limits);
        }
        return (ours, peers);
    }

    public static string Note(RunReport run) => ReportTables.F(
        $"{run.BaseCount:N0}-vector rows: from an earlier comparison run ({run.Command}, started {run.StartedAt:yyyy-MM-dd HH:mm zzz}; {run.DatasetDescription}; {run.Metric}, ef_construction={run.EfConstruction}), measured in that run's rounds, not this one's; file layout and size depend on the count, dims and M, not on the data.");
}

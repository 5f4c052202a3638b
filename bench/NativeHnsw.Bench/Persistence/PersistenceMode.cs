using System.Diagnostics;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Persistence;

/// <summary>
/// Our index's save, load, memory-mapped open and verify at growing sizes, each next to this disk's measured
/// sequential write (with fsync) and read speed for a file of the same size: open should stay flat, save and load
/// should track the disk.
/// </summary>
public static class PersistenceMode
{
    public static PersistenceReport Run(PersistenceSettings settings, ConsoleUi ui, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ui);
        var results = new List<PersistenceSizeResult>();
        var peers = new List<PeerSizeResult>();
        var notes = new List<string>();
        // Read before hours of builds, so a bad file fails at once.
        var earlierRun = settings.AddRun is { } path ? EarlierRun.Read(path) : null;
        var earlier = earlierRun is null ? default : EarlierRun.Rows(earlierRun, settings.AddRun!, settings);
        foreach (int size in settings.Sizes)
        {
            int efc = size > settings.LargeThreshold ? settings.EfConstructionLarge : settings.EfConstruction;
            if (efc != settings.EfConstruction)
            {
                notes.Add(ReportTables.F($"{size:N0} vectors built with ef_construction={efc} (sizes above {settings.LargeThreshold:N0}; --ef-construction-large), not {settings.EfConstruction}: it changes build time and graph quality, not the file's layout or size."));
                ui.Note(notes[^1]);
            }
            results.Add(RunSize(settings, ui, workDirectory, size, efc));
            var engines = settings.Engines ?? PeerPersistence.Supported;
            if (engines.Count > 0)
            {
                var options = new HnswOptions { Dimensions = settings.Dimensions, Metric = settings.Metric, M = settings.M, EfConstruction = efc, InitialCapacity = size };
                float[] data = ui.Step(ReportTables.F($"{size:N0}: generate {size:N0} × {settings.Dimensions} gaussian (again, for the engines)"), _ => SyntheticVectors.Gaussian(size, settings.Dimensions, settings.Seed));
                peers.AddRange(PeerPersistence.Run(engines, options, data, settings.Threads, settings.Repeats, ui, workDirectory, notes));
            }
        }
        if (earlierRun is not null)
        {
            if (earlier.Ours is { } ours)
                results.Add(ours);
            peers.AddRange(earlier.Peers);
            // Stable (OrderBy): rows of one size keep the engines' order.
            var bySize = peers.OrderBy(r => r.Size).ToArray();
            peers.Clear();
            peers.AddRange(bySize);
            results.Sort((a, b) => a.Size.CompareTo(b.Size));
            notes.Add(EarlierRun.Note(earlierRun));
        }
        if (peers.Count > 0)
        {
            notes.Add("Engines side by side: same vectors, M and ef_construction; each round runs every engine's save, save + fsync, load and open in turn (one untimed round first).");
            notes.Add("Saves: NativeHnsw's save fsyncs the file and its folder itself; FAISS, hnswlib and USearch do not, so 'save + fsync' adds an fsync of the file and its folder after their save. Open is a memory-mapped open: NativeHnsw's Open, USearch's view.");
        }
        return new PersistenceReport(settings.CommandLine, DateTimeOffset.Now, MachineInfo.Detect(), settings.Metric.ToString(), settings.M,
            settings.Repeats, results, notes, settings.Dimensions, peers);
    }

    private static PersistenceSizeResult RunSize(PersistenceSettings s, ConsoleUi ui, string workDirectory, int size, int efc)
    {
        var options = new HnswOptions { Dimensions = s.Dimensions, Metric = s.Metric, M = s.M, EfConstruction = efc, InitialCapacity = size };
        float[] data = ui.Step(ReportTables.F($"{size:N0}: generate {size:N0} × {s.Dimensions} gaussian"), _ => SyntheticVectors.Gaussian(size, s.Dimensions, s.Seed));
        float[] query = SyntheticVectors.Gaussian(1, s.Dimensions, s.Seed + 1_000_003);
        using var index = new HnswIndex(options);
        // Fed in slices, as the engines' builds are, so that the progress moves with the vectors inserted.
        var labels = SyntheticVectors.RowLabels(size);
        int slice = Math.Max(1, (size + SlicedBuild.Slices - 1) / SlicedBuild.Slices);
        double build = ui.Step(ReportTables.F($"{size:N0}: build, {s.Threads} threads, ef_construction={efc}"), size, "vectors", report =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int from = 0; from < size; from += slice)
            {
                int n = Math.Min(slice, size - from);
                index.AddRange(labels.AsMemory(from, n), data.AsMemory(from * s.Dimensions, n * s.Dimensions), s.Threads);
                report(from + n);
            }
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
        data = [];
        string file = Path.Combine(workDirectory, ReportTables.F($"index-{size}.nhnsw"));
        try
        {
            var save = ui.Step(ReportTables.F($"{size:N0}: save ×{s.Repeats}"), () => Summary.TimeMilliseconds(1, s.Repeats, () => index.Save(file), () => File.Delete(file)));
            long bytes = new FileInfo(file).Length;
            var (load, firstLoad) = ui.Step(ReportTables.F($"{size:N0}: load ×{s.Repeats}"), () => TimeOpen(HnswIndex.Load, file, query, s.Repeats));
            var (open, firstOpen) = ui.Step(ReportTables.F($"{size:N0}: memory-mapped open ×{s.Repeats}"), () => TimeOpen(HnswIndex.Open, file, query, s.Repeats));
            var verify = ui.Step(ReportTables.F($"{size:N0}: verify ×{s.Repeats}"), () => Summary.TimeMilliseconds(1, s.Repeats, () => HnswIndex.Verify(file)));
            double? cold = null;
            if (PageCache.TryEvict(file))
            {
                using var mapped = HnswIndex.Open(file);
                var results = new SearchResult[10];
                long start = Stopwatch.GetTimestamp();
                mapped.Search(query, results, 40);
                cold = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            var limits = ui.Step(ReportTables.F($"{size:N0}: disk limits with a {bytes / 1e6:F0} MB file"), () => MachineLimits.Measure(workDirectory, bytes));
            return new PersistenceSizeResult(size, s.Dimensions, efc, build, bytes, (double)bytes / size, (double)index.MemoryBytes / size,
                save, load, open, verify, firstLoad, firstOpen, cold, limits);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (Summary Time, double FirstQueryUs) TimeOpen(Func<string, HnswIndex> open, string file, float[] query, int repeats)
    {
        var times = new List<double>();
        var first = new List<double>();
        var results = new SearchResult[10];
        Summary.WarmUp(1, () =>
        {
            using var warm = open(file);
            warm.Search(query, results, 40);
        });
        for (int run = 0; run <= repeats; run++)
        {
            long start = Stopwatch.GetTimestamp();
            using var index = open(file);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            index.Search(query, results, 40);
            double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (run > 0)
            {
                times.Add(ms);
                first.Add(us);
            }
        }
        return (Summary.Of(times), Summary.Of(first).Median);
    }

    public static IReadOnlyList<TableData> Tables(PersistenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Sizes.Select(r => (IReadOnlyList<string>)
        [
            ReportTables.F($"{r.Size:N0}"), ReportTables.F($"{r.Dimensions}"), ReportTables.F($"{r.EfConstruction}"), ReportTables.F($"{r.BuildSeconds:F1}"),
            ReportTables.F($"{r.FileBytes:N0}"), ReportTables.F($"{r.FileBytesPerVector:F0}"), ReportTables.F($"{r.MemoryBytesPerVector:F0}"),
            Ms(r.SaveMs), ReportTables.F($"{r.FileBytes / (r.Limits.WriteFsyncMBps * 1e3):F1}"),
            Ms(r.LoadMs), ReportTables.F($"{r.FileBytes / (r.Limits.ReadMBps * 1e3):F1}{(r.Limits.ReadIsCold ? "" : " (warm)")}"),
            Ms(r.OpenMs), ReportTables.F($"{r.FirstQueryAfterOpenUs:F0}"), r.FirstQueryColdUs is { } c ? ReportTables.F($"{c:F0}") : "no eviction",
            Ms(r.VerifyMs),
        ]).ToArray();
        var limits = report.Sizes.Select(r => (IReadOnlyList<string>)
        [
            ReportTables.F($"{r.Size:N0}"), ReportTables.F($"{r.Limits.ProbeBytes / 1e6:F0} MB"), ReportTables.F($"{r.Limits.WriteFsyncMBps:N0} MB/s"),
            ReportTables.F($"{r.Limits.ReadMBps:N0} MB/s ({(r.Limits.ReadIsCold ? "page cache evicted" : "warm: page cache could not be evicted")})"),
            ReportTables.F($"{r.Limits.MemoryCopyGBps:F1} GB/s"),
        ]).ToArray();
        var peers = report.Engines.Select(r => (IReadOnlyList<string>)
        [
            ReportTables.F($"{r.Size:N0}"), r.Engine, ReportTables.F($"{r.BuildSeconds:F1}"), ReportTables.F($"{r.FileBytes / 1e6:F1}"),
            r.SavesWithFsync ? "yes" : "no", Ms(r.SaveMs), r.SavesWithFsync ? "= save" : Ms(r.DurableSaveMs), Ms(r.LoadMs), r.OpenMs is { } o ? Ms(o) : "",
        ]).ToArray();
        var tables = new List<TableData>
        {
            new(ReportTables.F($"Persistence of NativeHnsw (M={report.M}, {report.Metric}; ms: median of {report.Repeats} after a warm-up, min–max; limit = file size at this disk's measured speed)"),
                ["vectors", "dims", "ef_construction", "build s", "file bytes", "file B/vector", "memory B/vector", "save ms", "write+fsync limit ms",
                 "load ms", "read limit ms", "mmap open ms", "1st query after open µs", "1st query cold µs", "verify ms"], rows),
            new("Disk and memory limits (probe file of the index's size)", ["vectors", "probe", "write + fsync", "read", "memory copy, 1 thread"], limits),
        };
        if (peers.Length > 0)
        {
            tables.Add(new TableData(ReportTables.F($"Every engine at every size (ms: median of {report.Repeats} rounds alternating the engines, min–max)"),
                ["vectors", "engine", "build s", "file MB", "save fsyncs", "save ms", "save + fsync ms", "load ms", "mmap open ms"], peers));
        }
        return tables;
    }

    private static string Ms(Summary s) => ReportTables.F($"{s.Median:F2} ({s.Min:F2}–{s.Max:F2})");
}

using System.Diagnostics;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.IndexFiles;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Persistence;

/// <summary>
/// Save, save + fsync, load and open of every requested engine at one size, on the same vectors, in rounds that
/// alternate the engines (A B C D, A B C D, …), for the persistence mode's cross-engine table and plot.
/// </summary>
public static class PeerPersistence
{
    /// <summary>The engines the persistence mode can compare, in report order.</summary>
    public static readonly IReadOnlyList<string> Supported = [EngineNames.NativeHnsw, EngineNames.Faiss, EngineNames.Hnswlib, EngineNames.Usearch];

    public static IReadOnlyList<PeerSizeResult> Run(
        IReadOnlyList<string> engines, HnswOptions options, float[] data, int threads, int repeats, ConsoleUi ui, string workDirectory,
        ICollection<string> notes)
    {
        ArgumentNullException.ThrowIfNull(engines);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(ui);
        ArgumentNullException.ThrowIfNull(notes);
        int size = data.Length / options.Dimensions;
        var labels = SyntheticVectors.RowLabels(size);
        var built = new List<(string Name, VectorEngineFactory Factory, IVectorEngine Engine, double Build, string File)>();
        try
        {
            foreach (string name in engines)
            {
                var factory = Factory(name);
                if (!factory.IsAvailable)
                {
                    string note = ReportTables.F($"{name} skipped: {factory.UnavailableReason}");
                    if (!notes.Contains(note))
                        notes.Add(note);
                    continue;
                }
                var engine = factory.Create(options);
                built.Add((name, factory, engine, 0, Path.Combine(workDirectory, ReportTables.F($"{name.ToLowerInvariant()}-{size}.index"))));
                double seconds = ui.Step(ReportTables.F($"{size:N0}: {name}: build, {threads} threads"), size, "vectors",
                    report => SlicedBuild.Run(engine, labels, data, options.Dimensions, threads, report));
                built[^1] = built[^1] with { Build = seconds };
            }
            var save = built.ToDictionary(b => b.Name, _ => new List<double>());
            var durable = built.ToDictionary(b => b.Name, _ => new List<double>());
            var load = built.ToDictionary(b => b.Name, _ => new List<double>());
            var open = built.ToDictionary(b => b.Name, _ => new List<double>());
            ui.Step(ReportTables.F($"{size:N0}: save, save + fsync, load, open, interleaved × {repeats} rounds"), (long)repeats * built.Count, "engine rounds", report =>
            {
                // One untimed round first: JIT, page cache and the file system's first allocation of each file.
                for (int round = -1; round < repeats; round++)
                {
                    foreach (var b in built)
                    {
                        bool fsyncs = b.Name == EngineNames.NativeHnsw;
                        double s = Time(() => b.Engine.Save(b.File), () => File.Delete(b.File));
                        double d = fsyncs ? s : Time(() => SaveAndFsync(b.Engine, b.File), () => File.Delete(b.File));
                        double l = Time(() => b.Factory.Load(b.File, options).Dispose());
                        double? o = Opener(b.Name) is { } opener ? Time(() => opener(b.File, options).Dispose()) : null;
                        if (round < 0)
                            continue;
                        save[b.Name].Add(s);
                        durable[b.Name].Add(d);
                        load[b.Name].Add(l);
                        if (o is { } ms)
                            open[b.Name].Add(ms);
                    }
                    if (round >= 0)
                        report((long)(round + 1) * built.Count);
                }
                return 0;
            });
            return built.Select(b => new PeerSizeResult(b.Name, size, b.Build, new FileInfo(b.File).Length, b.Name == EngineNames.NativeHnsw,
                Summary.Of(save[b.Name]), Summary.Of(durable[b.Name]), Summary.Of(load[b.Name]),
                open[b.Name].Count > 0 ? Summary.Of(open[b.Name]) : null)).ToArray();
        }
        finally
        {
            foreach (var b in built)
            {
                b.Engine.Dispose();
                File.Delete(b.File);
            }
        }
    }

    /// <summary>The engine's save followed by an fsync of the file and of its folder (the new name).</summary>
    public static void SaveAndFsync(IVectorEngine engine, string file)
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.Save(file);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
            stream.Flush(flushToDisk: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(file))!);
    }

    private static VectorEngineFactory Factory(string name) => name switch
    {
        EngineNames.NativeHnsw => VectorEngineFactory.NativeHnsw,
        EngineNames.Faiss => VectorEngineFactory.Faiss,
        EngineNames.Hnswlib => VectorEngineFactory.Hnswlib,
        EngineNames.Usearch => VectorEngineFactory.Usearch,
        _ => throw new BenchInputException($"the persistence mode compares {string.Join(", ", Supported)}; not '{name}'."),
    };

    private static Func<string, HnswOptions, IVectorEngine>? Opener(string name) => name switch
    {
        EngineNames.NativeHnsw => HnswIndexEngine.Open,
        EngineNames.Usearch => UsearchEngine.View,
        _ => null,
    };

    private static double Time(Action action, Action? before = null)
    {
        before?.Invoke();
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}

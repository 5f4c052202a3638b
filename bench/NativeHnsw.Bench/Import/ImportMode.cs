using System.Diagnostics;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Interop;
using static NativeHnsw.Bench.Reports.ReportTables;

namespace NativeHnsw.Bench.Import;

/// <summary>
/// Import against rebuild: the time from an hnswlib or FAISS file to a NativeHnsw index ready to search
/// (<see cref="HnswIndex.ImportHnswlib"/>, <see cref="HnswIndex.ImportFaiss"/>), next to rebuilding the index from the
/// vectors, our own load of our own file, the libraries' own loads of the same files, and the floor of copying the
/// file's bytes once. Every import is checked against the index its file came from: same queries, same ef, same hits.
/// </summary>
public static class ImportMode
{
    private const int CheckQueries = 200;
    private const int CheckK = 10;
    private const int CheckEf = 64;

    public static ImportReport Run(ImportSettings s, ConsoleUi ui, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ui);
        var startedAt = DateTimeOffset.Now;
        var machine = MachineInfo.Detect();
        var dataset = ui.Step("load dataset", () => DatasetLoader.Load(s.Dataset));
        var metric = s.Metric ?? dataset.DefaultMetric;
        int n = dataset.Base.Count, d = dataset.Base.Dimensions;
        var options = new HnswOptions { Dimensions = d, Metric = metric, M = s.M, EfConstruction = s.EfConstruction, InitialCapacity = n };
        ui.Line(Spectre.Console.Markup.Escape(F($"{dataset.Description}; {metric}, M={s.M}, ef_construction={s.EfConstruction}")));
        var labels = SyntheticVectors.RowLabels(n);
        var queries = dataset.Queries.Data.AsMemory(0, Math.Min(CheckQueries, dataset.Queries.Count) * d);
        var figures = new List<ImportFigure>();
        var notes = new List<string>();

        using var rebuilt = HnswIndexEngine.Create(options);
        double buildSeconds = ui.Step(F($"rebuild: NativeHnsw from the vectors, {s.Threads} threads"), n, "vectors",
            report => SlicedBuild.Run(rebuilt, labels, dataset.Base.Data, d, s.Threads, report));
        figures.Add(new ImportFigure(F($"rebuild from the vectors (NativeHnsw, {s.Threads} threads, ef_construction={s.EfConstruction})"), 0,
            Summary.Of([buildSeconds * 1e3]), null));

        string hnswlibFile = Path.Combine(workDirectory, "index.hnswlib");
        string faissFile = Path.Combine(workDirectory, "index.faiss");
        string ownFile = Path.Combine(workDirectory, "index.nhnsw");
        rebuilt.Save(ownFile);
        IVectorEngine? hnswlibSource = null, faissSource = null;
        try
        {
            if (s.FilesFromLibraries)
            {
                NativeLibraries(ui, "--files-from libraries");
                hnswlibSource = BuildAndSave(VectorEngineFactory.Hnswlib, options, labels, dataset.Base.Data, s.Threads, hnswlibFile, ui);
                faissSource = BuildAndSave(VectorEngineFactory.Faiss, options, labels, dataset.Base.Data, s.Threads, faissFile, ui);
                notes.Add("The hnswlib and FAISS files were written by those libraries (their own builds of the same vectors, M and ef_construction); each import is compared with the library's answers on its own file.");
            }
            else
            {
                ui.Step("export the rebuilt index as an hnswlib and a FAISS file", () =>
                {
                    rebuilt.Index.ExportHnswlib(hnswlibFile);
                    rebuilt.Index.ExportFaiss(faissFile);
                });
                notes.Add("The hnswlib and FAISS files are our exports of the rebuilt index (the libraries' formats, link for link; --files-from libraries has the libraries write them); each import is compared with the rebuilt index.");
            }

            var reference = (IVectorEngine?)hnswlibSource ?? rebuilt;
            figures.Add(TimeImport(ui, "import the hnswlib file (HnswIndex.ImportHnswlib)", hnswlibFile, s.Repeats,
                () => HnswIndex.ImportHnswlib(hnswlibFile, metric, CheckEf, d), reference, queries, d));
            reference = (IVectorEngine?)faissSource ?? rebuilt;
            figures.Add(TimeImport(ui, "import the FAISS file (HnswIndex.ImportFaiss)", faissFile, s.Repeats,
                () => HnswIndex.ImportFaiss(faissFile, metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null), reference, queries, d));
            figures.Add(TimeLoad(ui, "NativeHnsw: load of its own file (HnswIndex.Load, every section hashed and checked)", ownFile, s.Repeats, () => HnswIndexEngine.Load(ownFile, options)));
            if (VectorEngineFactory.Hnswlib.IsAvailable)
                figures.Add(TimeLoad(ui, "hnswlib: loadIndex of the same hnswlib file", hnswlibFile, s.Repeats, () => HnswlibEngine.Load(hnswlibFile, options)));
            else
                notes.Add("hnswlib unavailable: " + VectorEngineFactory.Hnswlib.UnavailableReason);
            if (VectorEngineFactory.Faiss.IsAvailable)
                figures.Add(TimeLoad(ui, "FAISS: read_index of the same FAISS file", faissFile, s.Repeats, () => FaissEngine.Load(faissFile, options)));
            else
                notes.Add("FAISS unavailable: " + VectorEngineFactory.Faiss.UnavailableReason);
        }
        finally
        {
            hnswlibSource?.Dispose();
            faissSource?.Dispose();
        }

        double copy = ui.Step("memory copy speed (one thread, 256 MB)", MachineLimits.MemoryCopy);
        notes.Add("Imports and loads read files just written, from the page cache; a cold read adds the disk's read time to each alike. Each is timed from the path to an index ready to search (the result disposed after each run; one untimed run first).");
        notes.Add("Floor: the file's bytes copied once at this machine's one-thread memory copy speed; an import copies the vectors and passes once over the links, so it cannot beat it.");
        notes.Add(F($"Answers: {Math.Min(CheckQueries, dataset.Queries.Count)} queries, k={CheckK}, ef={CheckEf}; a hit is identical when its label and rank are."));
        return new ImportReport(s.CommandLine, startedAt, machine, dataset.Description, n, d, metric.ToString(), s.M, s.EfConstruction, s.Threads, s.Repeats,
            copy, figures, notes);
    }

    public static IReadOnlyList<TableData> Tables(ImportReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        double rebuild = report.Figures[0].Milliseconds.Median;
        var rows = report.Figures.Select(f => (IReadOnlyList<string>)
        [
            f.Way,
            f.FileBytes == 0 ? "" : F($"{f.FileBytes / 1e6:F2}"),
            F($"{f.Milliseconds.Median:F1}"),
            f.Milliseconds.Runs == 1 ? "one run" : F($"{f.Milliseconds.Min:F1}–{f.Milliseconds.Max:F1}"),
            F($"{rebuild / f.Milliseconds.Median:F1}×"),
            f.FileBytes == 0 ? "" : F($"{f.FileBytes / (report.MemoryCopyGBps * 1e9) * 1e3:F1}"),
            f.Answers ?? "",
        ]).ToArray();
        return
        [
            new TableData(F($"Import vs rebuild ({report.Count:N0} × {report.Dimensions}, {report.Metric}, M={report.M}; median of {report.Repeats} runs, a rebuild one run)"),
                ["way to a searchable index", "file MB", "ms", "min–max", "rebuild ÷ this", F($"floor: copy at {report.MemoryCopyGBps:F1} GB/s (ms)"), "answers vs the file's source"], rows),
        ];
    }

    private static void NativeLibraries(ConsoleUi ui, string option)
    {
        foreach (var factory in new[] { VectorEngineFactory.Hnswlib, VectorEngineFactory.Faiss })
        {
            if (!factory.IsAvailable)
                throw new BenchInputException($"{option} needs {factory.Name}: {factory.UnavailableReason}");
        }
        ui.Note("hnswlib and FAISS build the files: this takes as long as their builds.");
    }

    private static IVectorEngine BuildAndSave(VectorEngineFactory factory, HnswOptions options, long[] labels, float[] data, int threads, string file, ConsoleUi ui)
    {
        var engine = factory.Create(options);
        try
        {
            ui.Step($"{factory.Name}: build ({threads} threads) and save its file", labels.Length, "vectors",
                report => SlicedBuild.Run(engine, labels, data, options.Dimensions, threads, report));
            engine.Save(file);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private static ImportFigure TimeImport(ConsoleUi ui, string way, string file, int repeats, Func<HnswIndex> import, IVectorEngine source,
        ReadOnlyMemory<float> queries, int dimensions) =>
        ui.Step($"{way} ×{repeats}", () =>
        {
            string answers;
            using (var first = new HnswIndexEngine(import()))
                answers = CompareAnswers(source, first, queries, dimensions);
            var times = Repeat(repeats, () => import().Dispose());
            return new ImportFigure(way, new FileInfo(file).Length, Summary.Of(times), answers);
        });

    private static ImportFigure TimeLoad(ConsoleUi ui, string way, string file, int repeats, Func<IVectorEngine> load) =>
        ui.Step($"{way} ×{repeats}", () =>
        {
            load().Dispose();
            return new ImportFigure(way, new FileInfo(file).Length, Summary.Of(Repeat(repeats, () => load().Dispose())), null);
        });

    private static double[] Repeat(int repeats, Action run)
    {
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    /// <summary>"identical: 2,000 of 2,000 hits (label and rank)" for the imported index against the index its file came from.</summary>
    internal static string CompareAnswers(IVectorEngine source, IVectorEngine imported, ReadOnlyMemory<float> queries, int dimensions)
    {
        var expected = new SearchResult[CheckK];
        var actual = new SearchResult[CheckK];
        long same = 0, total = 0;
        for (int q = 0; q < queries.Length / dimensions; q++)
        {
            var query = queries.Span.Slice(q * dimensions, dimensions);
            int e = source.Search(query, expected, CheckEf);
            int a = imported.Search(query, actual, CheckEf);
            total += e;
            for (int i = 0; i < Math.Min(e, a); i++)
            {
                if (expected[i].Label == actual[i].Label)
                    same++;
            }
        }
        return F($"identical: {same:N0} of {total:N0} hits");
    }
}

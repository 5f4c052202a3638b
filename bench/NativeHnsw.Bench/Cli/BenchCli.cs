using System.CommandLine;
using System.Globalization;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Data;
using NativeHnsw.Bench.Engines;
using NativeHnsw.Bench.GroundTruth;
using NativeHnsw.Bench.Import;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Persistence;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Bench.Store;
using Spectre.Console;

namespace NativeHnsw.Bench;

/// <summary>
/// The harness's command line. No arguments: the default comparison (10,000 gaussian × 128, cosine, M=16,
/// ef_construction=200, every engine). <c>persistence</c>: our save/load/open across sizes. <c>store</c>: durable
/// collections (NativeHnsw.Storage): inserts, checkpoint, reopen, filtered queries. Bad input of any kind:
/// one line on stderr and exit code 2.
/// </summary>
public static class BenchCli
{
    public const int BadInput = 2;

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = ReferenceEquals(stdout, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = ReferenceEquals(stdout, Console.Out) ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = 220; // redirected output: wide tables rather than wrapped cells
        var ui = new ConsoleUi(console);
        int exitCode = 0;
        var root = BuildCommands(args, ui, code => exitCode = code);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                    stderr.WriteLine($"error: {error.Message}");
                stderr.WriteLine("Run with --help for the options.");
                return BadInput;
            }
            int invoked = parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            return invoked != 0 ? invoked : exitCode;
        }
        catch (Exception e) when (e is BenchInputException or NativeHnsw.Data.VectorFileException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return BadInput;
        }
    }

    private static RootCommand BuildCommands(string[] args, ConsoleUi ui, Action<int> setExitCode)
    {
        string commandLine = "dotnet run -c Release --project bench/NativeHnsw.Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        var dataset = new Option<string>("--dataset") { Description = "synthetic (gaussian), clustered (gaussian mixture), fashion-mnist, or a file: .fvecs, .npy (float32 2-D), .csv, .tsv", DefaultValueFactory = _ => DatasetLoader.Synthetic };
        var queryFile = new Option<string?>("--query-file") { Description = "queries from this file (same formats); default: held out from a file dataset" };
        var count = new Option<int?>("--count") { Description = "base vectors: generated count (default 10,000), or the first N of a file" };
        var dims = new Option<int>("--dims") { Description = "dimensions of generated data", DefaultValueFactory = _ => 128 };
        var queries = new Option<int?>("--queries") { Description = "queries (default 1,000; fashion-mnist: all 10,000; use fewer for a quick run)" };
        var metric = new Option<string?>("--metric") { Description = "cosine, l2 or ip (default: cosine; fashion-mnist: l2)" };
        var k = new Option<int>("--k") { Description = "neighbours per query for recall@k", DefaultValueFactory = _ => 10 };
        var m = new Option<int>("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
        var efc = new Option<int>("--ef-construction") { Description = "HNSW ef_construction", DefaultValueFactory = _ => 200 };
        var efs = new Option<string[]>("--ef") { Description = "search ef values to sweep, e.g. 10,20,40,80,160,320,400", DefaultValueFactory = _ => ["10,20,40,80,120,160,240,320,400,600"], AllowMultipleArgumentsPerToken = true };
        var engines = new Option<string[]>("--engines") { Description = "engines: NativeHnsw, NativeHnsw-mmap, NativeHnsw-i8, NativeHnsw-f16, FAISS, hnswlib, USearch, USearch-f16, USearch-i8, USearch-wrapper (comma-separated)", DefaultValueFactory = _ => [string.Join(',', EngineNames.All)], AllowMultipleArgumentsPerToken = true };
        var builds = new Option<string>("--builds") { Description = "all: time a 1-thread and an all-cores build; parallel: only the all-cores build (quicker)", DefaultValueFactory = _ => "all" };
        var threads = new Option<int>("--threads") { Description = "threads of the parallel build", DefaultValueFactory = _ => Environment.ProcessorCount };
        var buildRounds = new Option<int>("--build-rounds") { Description = "rounds of the 1-thread builds, engines in turn (order reversed every other round): median time, ratios as the median of per-round ratios", DefaultValueFactory = _ => 3 };
        var repeats = new Option<int>("--repeats") { Description = "timed repetitions of each search pass, save, load and open (median, min, max)", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "seed of generated data and held-out queries", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output") { Description = "output folder (default artifacts/bench/<dataset>-<timestamp>)" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "ground-truth cache folder (default ~/.cache/nativehnsw/ground-truth)" };
        var noPlot = new Option<bool>("--no-plot") { Description = "skip the PNG plot" };
        var sameGraph = new Option<string?>("--same-graph")
        {
            Description = "build one graph once (in NativeHnsw, the default, or hnswlib or FAISS) and search it in every engine that can load it (export/import), so QPS compares search alone",
            Arity = ArgumentArity.ZeroOrOne,
        };

        var wrapperSweep = new Option<bool>("--wrapper-sweep") { Description = "give USearch-wrapper every ef by building one wrapper index per ef (its expansion is fixed at construction); default: the middle ef only" };

        var root = new RootCommand("NativeHnsw benchmark harness: every engine on the same data in one run — build, recall@k vs QPS, latency, save/load/open — with a console table, report.md, results.json and recall-qps.png.")
        {
            dataset, queryFile, count, dims, queries, metric, k, m, efc, efs, engines, builds, threads, buildRounds, repeats, seed, output, cacheDir, noPlot, sameGraph, wrapperSweep,
        };
        root.SetAction(parsed =>
        {
            var settings = new CompareSettings(
                new DatasetRequest(parsed.GetValue(dataset)!, parsed.GetValue(queryFile), parsed.GetValue(count), parsed.GetValue(dims), parsed.GetValue(queries), parsed.GetValue(seed)),
                ParseMetric(parsed.GetValue(metric)), Positive("--k", parsed.GetValue(k)), CheckedM(parsed.GetValue(m)), Positive("--ef-construction", parsed.GetValue(efc)),
                ParseIntList("--ef", parsed.GetValue(efs)!), EngineNames.Parse(parsed.GetValue(engines)!), ParseBuilds(parsed.GetValue(builds)!),
                Positive("--threads", parsed.GetValue(threads)), Positive("--repeats", parsed.GetValue(repeats)), parsed.GetValue(output),
                parsed.GetValue(cacheDir) ?? GroundTruthCache.DefaultDirectory, !parsed.GetValue(noPlot), commandLine,
                parsed.GetResult(sameGraph) is null ? null : ParseGraphSource(parsed.GetValue(sameGraph)), parsed.GetValue(wrapperSweep),
                Positive("--build-rounds", parsed.GetValue(buildRounds)));
            setExitCode(Compare(settings, ui));
        });

        var sizes = new Option<string[]>("--sizes") { Description = $"index sizes, comma-separated, or scale ({string.Join(", ", ScaleSizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}: long, sizes above --large-threshold build at --ef-construction-large)", DefaultValueFactory = _ => ["10000,100000"], AllowMultipleArgumentsPerToken = true };
        var pdims = new Option<int>("--dims") { Description = "dimensions", DefaultValueFactory = _ => 128 };
        var pmetric = new Option<string?>("--metric") { Description = "cosine, l2 or ip (default cosine)" };
        var pm = new Option<int>("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
        var pefc = new Option<int>("--ef-construction") { Description = "ef_construction for sizes up to --large-threshold", DefaultValueFactory = _ => 200 };
        var pefcLarge = new Option<int>("--ef-construction-large") { Description = "ef_construction for larger sizes (a 1M × 128 build at 200 takes long on 2 cores)", DefaultValueFactory = _ => 40 };
        var threshold = new Option<int>("--large-threshold") { Description = "sizes above this use --ef-construction-large", DefaultValueFactory = _ => 100_000 };
        var prepeats = new Option<int>("--repeats") { Description = "timed repetitions of save, load, open, verify", DefaultValueFactory = _ => 5 };
        var pthreads = new Option<int>("--threads") { Description = "build threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var pseed = new Option<int>("--seed") { Description = "data seed", DefaultValueFactory = _ => 1 };
        var poutput = new Option<string?>("--output") { Description = "output folder (default artifacts/bench/persistence-<timestamp>)" };
        var pengines = new Option<string[]>("--engines") { Description = $"engines compared at every size: {string.Join(", ", PeerPersistence.Supported)}, or none (comma-separated)", DefaultValueFactory = _ => [string.Join(',', PeerPersistence.Supported)], AllowMultipleArgumentsPerToken = true };
        var pnoPlot = new Option<bool>("--no-plot") { Description = "skip persistence-times.png" };
        var addRun = new Option<string?>("--add-run") { Description = "results.json of an earlier comparison run (e.g. a 1M scale run): its save, load and open figures join the tables and plot at its size" };
        var persistence = new Command("persistence", "NativeHnsw's save, load, memory-mapped open, first query and verify across index sizes, next to this disk's measured write+fsync and read speed; then every engine's save, save + fsync, load and open at each size, with persistence-times.png.")
        {
            sizes, pdims, pmetric, pm, pefc, pefcLarge, threshold, prepeats, pthreads, pseed, poutput, pengines, pnoPlot, addRun,
        };
        persistence.SetAction(parsed =>
        {
            int d = parsed.GetValue(pdims);
            if (d is < 1 or > HnswOptions.MaxDimensions)
                throw new BenchInputException($"--dims {d} is out of range (1 to {HnswOptions.MaxDimensions}).");
            var list = ParseSizes(parsed.GetValue(sizes)!);
            if (list.Any(n => n < 2 || (long)n * d > Array.MaxLength))
                throw new BenchInputException("--sizes must be at least 2 and size × dims must fit one array.");
            var settings = new PersistenceSettings(list, d, ParseMetric(parsed.GetValue(pmetric)) ?? DistanceMetric.Cosine, CheckedM(parsed.GetValue(pm)),
                Positive("--ef-construction", parsed.GetValue(pefc)), Positive("--ef-construction-large", parsed.GetValue(pefcLarge)),
                parsed.GetValue(threshold), Positive("--repeats", parsed.GetValue(prepeats)), parsed.GetValue(pseed), Positive("--threads", parsed.GetValue(pthreads)),
                parsed.GetValue(poutput), commandLine, ParsePersistenceEngines(parsed.GetValue(pengines)!), !parsed.GetValue(pnoPlot), parsed.GetValue(addRun));
            setExitCode(PersistenceRun(settings, ui));
        });
        root.Subcommands.Add(persistence);

        var scount = new Option<int>("--count") { Description = "records inserted in batches (reopen and queries are at this size); at least 100", DefaultValueFactory = _ => 100_000 };
        var sdims = new Option<int>("--dims") { Description = "dimensions", DefaultValueFactory = _ => 64 };
        var ssingles = new Option<int>("--singles") { Description = "records inserted one per call after the batches (Durability.Strict: at most 500)", DefaultValueFactory = _ => 2_000 };
        var sstrict = new Option<int>("--strict-count") { Description = "records inserted in batches into the Durability.Strict store", DefaultValueFactory = _ => 10_000 };
        var sreplay = new Option<int>("--replay") { Description = "records upserted after the checkpoint, replayed by the second reopen", DefaultValueFactory = _ => 10_000 };
        var squeries = new Option<int>("--queries") { Description = "timed queries of each kind", DefaultValueFactory = _ => 1_000 };
        var sseed = new Option<int>("--seed") { Description = "data seed", DefaultValueFactory = _ => 1 };
        var soutput = new Option<string?>("--output") { Description = "output folder (default artifacts/bench/store-<timestamp>)" };
        var sship = new Option<bool>("--ship") { Description = "also measure what change shipping costs one-record commits: four stores written by turns (shipping off, the log with no shipper, a ChangeShipper beside the writer shipping to a local folder every second, and off again as a control)" };
        var store = new Command("store", "Durable collections (NativeHnsw.Storage): inserts per second batched and one per call at both durability levels, checkpoint, reopen with a fresh checkpoint, with replay and with a rebuild, query latency without and with 10% and 1% filters.")
        {
            scount, sdims, ssingles, sstrict, sreplay, squeries, sseed, soutput, sship,
        };
        store.SetAction(parsed =>
        {
            int d = parsed.GetValue(sdims);
            if (d is < 1 or > HnswOptions.MaxDimensions)
                throw new BenchInputException($"--dims {d} is out of range (1 to {HnswOptions.MaxDimensions}).");
            int n = parsed.GetValue(scount);
            if (n < 100 || (long)(n + parsed.GetValue(ssingles)) * d > Array.MaxLength)
                throw new BenchInputException($"--count {n} must be at least 100 (the filters select by i % 100), and (count + singles) × dims must fit one array.");
            var settings = new StoreSettings(n, d, Positive("--singles", parsed.GetValue(ssingles)), Positive("--strict-count", parsed.GetValue(sstrict)),
                Positive("--replay", parsed.GetValue(sreplay)), Positive("--queries", parsed.GetValue(squeries)), parsed.GetValue(sseed), parsed.GetValue(soutput), commandLine, parsed.GetValue(sship));
            setExitCode(StoreRun(settings, ui));
        });
        root.Subcommands.Add(store);
        root.Subcommands.Add(Backup.BackupCommand.Create(commandLine, settings => RunMode(settings.OutputDirectory, "backup", "NativeHnsw backups",
            work => Backup.BackupMode.Run(settings, ui, work), Backup.BackupMode.Tables, r => (r.Command, r.StartedAt, r.Machine, r.Notes), ui), setExitCode));
        root.Subcommands.Add(ImportCommand(commandLine, ui, setExitCode));
        root.Subcommands.Add(GenerateCommand.Create(ui, setExitCode));
        return root;
    }

    private static Command ImportCommand(string commandLine, ConsoleUi ui, Action<int> setExitCode)
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (default), synthetic, clustered, or a file: .fvecs, .npy, .csv, .tsv", DefaultValueFactory = _ => DatasetLoader.FashionMnist };
        var count = new Option<int?>("--count") { Description = "base vectors: generated count, or the first N of a file (default: all of it)" };
        var dims = new Option<int>("--dims") { Description = "dimensions of generated data", DefaultValueFactory = _ => 128 };
        var metric = new Option<string?>("--metric") { Description = "cosine, l2 or ip (default: the dataset's; fashion-mnist: l2)" };
        var m = new Option<int>("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
        var efc = new Option<int>("--ef-construction") { Description = "HNSW ef_construction of the rebuild (and of the files' builds)", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "threads of the rebuild", DefaultValueFactory = _ => Environment.ProcessorCount };
        var repeats = new Option<int>("--repeats") { Description = "timed runs of each import and load (median, min, max)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of generated data", DefaultValueFactory = _ => 1 };
        var from = new Option<string>("--files-from") { Description = "ours: the hnswlib and FAISS files are our exports of the rebuilt index; libraries: hnswlib and FAISS build and save them (slower)", DefaultValueFactory = _ => "ours" };
        var output = new Option<string?>("--output") { Description = "output folder (default artifacts/bench/import-<timestamp>)" };
        var command = new Command("import", "Import vs rebuild: hnswlib and FAISS files imported into NativeHnsw (link for link), timed against rebuilding from the vectors, our own load, the libraries' own loads of the same files and a memory-copy floor; each import's answers checked against its file's source.")
        {
            dataset, count, dims, metric, m, efc, threads, repeats, seed, from, output,
        };
        command.SetAction(parsed =>
        {
            bool libraries = parsed.GetValue(from)!.ToLowerInvariant() switch
            {
                "ours" => false,
                "libraries" => true,
                var other => throw new BenchInputException($"--files-from '{other}': use ours or libraries."),
            };
            var settings = new ImportSettings(
                new DatasetRequest(parsed.GetValue(dataset)!, null, parsed.GetValue(count), parsed.GetValue(dims), 200, parsed.GetValue(seed)),
                ParseMetric(parsed.GetValue(metric)), CheckedM(parsed.GetValue(m)), Positive("--ef-construction", parsed.GetValue(efc)),
                Positive("--threads", parsed.GetValue(threads)), Positive("--repeats", parsed.GetValue(repeats)), libraries, parsed.GetValue(output), commandLine);
            setExitCode(RunMode(settings.OutputDirectory, "import", "NativeHnsw import vs rebuild", work => ImportMode.Run(settings, ui, work), ImportMode.Tables,
                r => (r.Command, r.StartedAt, r.Machine, r.Notes), ui));
        });
        return command;
    }

    private static int Compare(CompareSettings settings, ConsoleUi ui)
    {
        string name = DatasetLoader.LooksLikeFileName(settings.Dataset.Source) ? Path.GetFileNameWithoutExtension(settings.Dataset.Source) : settings.Dataset.Source.ToLowerInvariant();
        string outputDirectory = settings.OutputDirectory ?? DefaultOutput(name);
        Directory.CreateDirectory(outputDirectory);
        var report = CompareRun.Execute(settings, ui, outputDirectory);
        var tables = ReportTables.For(report);
        foreach (var table in tables)
            ConsoleReport.Write(ui.Console, table);
        foreach (string note in report.Notes)
            ui.Note("note: " + note);

        string md = Path.Combine(outputDirectory, "report.md");
        string json = Path.Combine(outputDirectory, "results.json");
        string png = Path.Combine(outputDirectory, "recall-qps.png");
        if (settings.Plot)
            RecallQpsPlot.Write(png, report);
        var header = ReportHeader.Lines(report.Command, report.StartedAt, report.Machine).Prepend("dataset: " + report.DatasetDescription)
            .Concat(report.Graph is null ? [] : ["graph: " + report.Graph]).ToArray();
        File.WriteAllText(md, MarkdownReport.Render($"NativeHnsw benchmark: {report.Dataset}", header, tables, report.Notes, settings.Plot ? "recall-qps.png" : null));
        JsonReport.Write(json, report);
        ui.Line("[bold]wrote[/]");
        foreach (string file in settings.Plot ? new[] { md, json, png } : [md, json])
            ui.Line("  " + Markup.Escape(Path.GetFullPath(file)));
        return 0;
    }

    private static int PersistenceRun(PersistenceSettings settings, ConsoleUi ui) =>
        RunMode(settings.OutputDirectory, "persistence", "NativeHnsw persistence", work => PersistenceMode.Run(settings, ui, work), PersistenceMode.Tables,
            r => (r.Command, r.StartedAt, r.Machine, r.Notes), ui,
            (report, folder) =>
            {
                if (!settings.Plot || report.Engines.Count == 0)
                    return null;
                string png = Path.Combine(folder, "persistence-times.png");
                PersistencePlot.Write(png, report);
                return png;
            });

    /// <summary>"none" (or an empty list) compares no engines; otherwise names from <see cref="PeerPersistence.Supported"/>.</summary>
    internal static IReadOnlyList<string> ParsePersistenceEngines(IEnumerable<string> values)
    {
        var parts = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (parts.Length == 0 || (parts.Length == 1 && parts[0].Equals("none", StringComparison.OrdinalIgnoreCase)))
            return [];
        var names = EngineNames.Parse(parts);
        var unsupported = names.Where(n => !PeerPersistence.Supported.Contains(n)).ToArray();
        if (unsupported.Length > 0)
            throw new BenchInputException($"persistence --engines: {string.Join(", ", unsupported)} not supported here; use {string.Join(", ", PeerPersistence.Supported)} or none.");
        return names;
    }

    private static int StoreRun(StoreSettings settings, ConsoleUi ui) =>
        RunMode(settings.OutputDirectory, "store", "NativeHnsw durable collections", work => StoreMode.Run(settings, ui, work), StoreMode.Tables,
            r => (r.Command, r.StartedAt, r.Machine, r.Notes), ui);

    /// <summary>A mode with its own report: runs it in a scratch folder under the output, prints its tables, writes report.md and results.json.</summary>
    private static int RunMode<TReport>(string? output, string name, string title, Func<string, TReport> run, Func<TReport, IReadOnlyList<TableData>> tables,
        Func<TReport, (string Command, DateTimeOffset StartedAt, MachineInfo Machine, IReadOnlyList<string> Notes)> describe, ConsoleUi ui,
        Func<TReport, string, string?>? plot = null)
    {
        string outputDirectory = output ?? DefaultOutput(name);
        string work = Path.Combine(outputDirectory, "work");
        Directory.CreateDirectory(work);
        TReport report;
        try
        {
            report = run(work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        var (command, startedAt, machine, notes) = describe(report);
        var rendered = tables(report);
        foreach (var table in rendered)
            ConsoleReport.Write(ui.Console, table);
        foreach (string note in notes)
            ui.Note("note: " + note);
        string md = Path.Combine(outputDirectory, "report.md");
        string json = Path.Combine(outputDirectory, "results.json");
        string? png = plot?.Invoke(report, outputDirectory);
        File.WriteAllText(md, MarkdownReport.Render(title, ReportHeader.Lines(command, startedAt, machine), rendered, notes, png is null ? null : Path.GetFileName(png)));
        JsonReport.Write(json, report);
        ui.Line("[bold]wrote[/]");
        foreach (string file in png is null ? new[] { md, json } : [md, json, png])
            ui.Line("  " + Markup.Escape(Path.GetFullPath(file)));
        return 0;
    }

    /// <summary><c>artifacts/bench/&lt;name&gt;-&lt;timestamp&gt;</c> under the repository root when run inside it, else under the current folder.</summary>
    private static string DefaultOutput(string name)
    {
        string root = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeHnsw.sln")))
            {
                root = dir.FullName;
                break;
            }
        }
        return Path.Combine(root, "artifacts", "bench", $"{name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
    }

    internal static DistanceMetric? ParseMetric(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "cosine" or "cos" => DistanceMetric.Cosine,
        "l2" or "euclidean" => DistanceMetric.L2,
        "ip" or "innerproduct" or "inner-product" or "dot" => DistanceMetric.InnerProduct,
        _ => throw new BenchInputException($"unknown metric '{value}'; use cosine, l2 or ip."),
    };

    /// <summary>The persistence sizes of <c>--sizes scale</c>: 10k to 1M, about three per decade, for the save/load/open plot.</summary>
    public static IReadOnlyList<int> ScaleSizes { get; } = [10_000, 30_000, 100_000, 300_000, 1_000_000];

    internal static IReadOnlyList<int> ParseSizes(IReadOnlyList<string> values) =>
        values.Count == 1 && values[0].Trim().Equals("scale", StringComparison.OrdinalIgnoreCase) ? ScaleSizes : ParseIntList("--sizes", values);

    internal static IReadOnlyList<int> ParseIntList(string option, IEnumerable<string> values)
    {
        var result = new List<int>();
        foreach (string part in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(part.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1)
                throw new BenchInputException($"{option}: '{part}' is not a positive whole number.");
            result.Add(value);
        }
        if (result.Count == 0)
            throw new BenchInputException($"{option} needs at least one value.");
        return result;
    }

    /// <summary>--same-graph with no value: our graph; otherwise one of <see cref="SameGraph.Engines"/>.</summary>
    internal static string ParseGraphSource(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return EngineNames.NativeHnsw;
        string? name = SameGraph.Engines.FirstOrDefault(n => n.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase));
        return name ?? throw new BenchInputException($"--same-graph '{value}': the graph can be built by {string.Join(", ", SameGraph.Engines)}.");
    }

    private static bool ParseBuilds(string value) => value.ToLowerInvariant() switch
    {
        "all" => true,
        "parallel" => false,
        _ => throw new BenchInputException($"--builds '{value}': use all (1 thread and all cores) or parallel (all cores only)."),
    };

    private static int Positive(string option, int value) =>
        value >= 1 ? value : throw new BenchInputException($"{option} must be at least 1 (got {value}).");

    private static int CheckedM(int value) =>
        value is >= 2 and <= HnswOptions.MaxM ? value : throw new BenchInputException($"--m {value} is out of range (2 to {HnswOptions.MaxM}).");
}

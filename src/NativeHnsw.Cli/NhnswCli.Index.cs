using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace NativeHnsw.Cli;

public static partial class NhnswCli
{
    private static Command InfoCommand(Context context)
    {
        var index = IndexArgument();
        var json = JsonOption();
        var command = new Command("info", "Show an index file's parameters and counts (maps the file; reads only its header).") { index, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            // A foreign (hnswlib/FAISS) index: say what it is and suggest `nhnsw import` (NhnswCli.Interchange.cs).
            if (DescribeForeign(context, path))
                return;
            using var opened = HnswIndex.Open(path);
            var o = opened.Options;
            long length = new FileInfo(path).Length;
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = true,
                    path = Path.GetFullPath(path),
                    fileLength = length,
                    o.Dimensions,
                    o.Metric,
                    o.M,
                    o.EfConstruction,
                    o.DefaultEf,
                    o.Seed,
                    count = opened.Count,
                    nodeCount = opened.NodeCount,
                });
                return;
            }
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("file", Markup.Escape(Path.GetFullPath(path)));
            grid.AddRow("size", Bytes(length));
            grid.AddRow("records", opened.Count.ToString("N0", CultureInfo.InvariantCulture));
            grid.AddRow("vectors (nodes)", opened.NodeCount.ToString("N0", CultureInfo.InvariantCulture));
            grid.AddRow("dimensions", o.Dimensions.ToString(CultureInfo.InvariantCulture));
            grid.AddRow("metric", o.Metric.ToString());
            grid.AddRow("M / ef_construction / default ef", string.Create(CultureInfo.InvariantCulture, $"{o.M} / {o.EfConstruction} / {o.DefaultEf}"));
            context.Ui.Write(grid);
        });
        return command;
    }

    private static Command VerifyCommand(Context context)
    {
        var index = IndexArgument();
        var json = JsonOption();
        var command = new Command("verify", "Check an index file completely: header, every section checksum, the graph's invariants. Exit 1 when damaged.") { index, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            var v = context.Ui.Step("verify", _ => HnswIndex.Verify(path));
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, verification = v });
                return;
            }
            context.Ui.Line($"[green]ok[/] {Markup.Escape(v.FilePath)}: format {v.FormatVersion}, {Bytes(v.FileLength)}, {v.Count:N0} records, {v.NodeCount:N0} vectors, {v.DeletedCount:N0} deleted, top level {v.TopLevel}, {v.LinkCount:N0} links");
        });
        return command;
    }

    private static Command QueryCommand(Context context)
    {
        var index = IndexArgument();
        var vector = new Option<string?>("--vector") { Description = "the query: comma-separated numbers" };
        var label = new Option<long?>("--label") { Description = "query with the stored vector of this label instead" };
        var k = new Option<int>("--k") { Description = "neighbours to return", DefaultValueFactory = _ => 10 };
        var ef = new Option<int>("--ef") { Description = "search beam width (0: the index's default)", DefaultValueFactory = _ => 0 };
        var json = JsonOption();
        var command = new Command("query", "Search an index file (mapped, not loaded) for the nearest labels.") { index, vector, label, k, ef, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            int kk = Positive("--k", parsed.GetValue(k), 100_000);
            int beam = NonNegative("--ef", parsed.GetValue(ef));
            string? text = parsed.GetValue(vector);
            long? byLabel = parsed.GetValue(label);
            if ((text is null) == (byLabel is null))
                throw new CliUsageException("give exactly one of --vector or --label.");
            using var opened = HnswIndex.Open(path);
            float[] query;
            if (byLabel is { } l)
            {
                if (!opened.Contains(l))
                    throw new CliUsageException($"label {l} is not in '{path}'.");
                query = opened.GetVector(l);
            }
            else
            {
                query = ParseVector(text!);
                if (query.Length != opened.Dimensions)
                    throw new CliUsageException($"--vector has {query.Length} values; the index has {opened.Dimensions} dimensions.");
            }
            SearchResult[] results;
            try
            {
                results = opened.Search(query, kk, beam);
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message);
            }
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, results = results.Select(r => new { r.Label, r.Distance }) });
                return;
            }
            var table = new Table().AddColumn("rank").AddColumn("label").AddColumn("distance");
            for (int i = 0; i < results.Length; i++)
                table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), results[i].Label.ToString(CultureInfo.InvariantCulture), results[i].Distance.ToString("G6", CultureInfo.InvariantCulture));
            context.Ui.Write(table);
        });
        return command;
    }

    private static Command BuildCommand(Context context)
    {
        var output = new Argument<string>("output") { Description = "the index file to write" };
        var from = new Option<string>("--from") { Description = "vectors: .fvecs, .npy (float32, 2-D), .csv or .tsv", Required = true };
        var labels = LabelsOption("the vectors' labels, in row order: a range FIRST..LAST or a text file of one integer a line (default: row i gets label i)");
        var metric = new Option<string>("--metric") { Description = "cosine, l2 or ip", DefaultValueFactory = _ => "cosine" };
        var m = new Option<int>("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
        var efc = new Option<int>("--ef-construction") { Description = "HNSW ef_construction", DefaultValueFactory = _ => 200 };
        var threads = ThreadsOption();
        var json = JsonOption();
        var command = new Command("build", "Build an index file from a vector file.") { output, from, labels, metric, m, efc, threads, json };
        command.SetAction(parsed =>
        {
            string source = ExistingFile(parsed.GetValue(from)!);
            var distance = ParseMetric(parsed.GetValue(metric)!);
            int mm = parsed.GetValue(m);
            if (mm is < 2 or > HnswOptions.MaxM)
                throw new CliUsageException($"--m {mm} is out of range (2 to {HnswOptions.MaxM}).");
            int ef = Positive("--ef-construction", parsed.GetValue(efc), 1 << 16);
            int workers = Positive("--threads", parsed.GetValue(threads), 1024);
            string path = parsed.GetValue(output)!;
            var given = parsed.GetValue(labels) is { } spec ? LabelList.Parse(spec) : null;
            var vectors = ReadVectors(context, source);
            var (count, dims) = (vectors.Count, vectors.Dimensions);
            given?.CheckCount(count, source);
            var options = new HnswOptions { Dimensions = dims, Metric = distance, M = mm, EfConstruction = ef, InitialCapacity = count };
            using var index = new HnswIndex(options);
            long[] rowLabels = given?.Labels ?? [.. Enumerable.Range(0, count).Select(i => (long)i)];
            Insert(context, index, rowLabels, vectors, source, workers);
            context.Ui.Step("save", _ =>
            {
                index.Save(path);
                return 0;
            });
            if (context.Ui.Json)
                context.Json(new { ok = true, path = Path.GetFullPath(path), count, dimensions = dims, metric = distance, m = mm, efConstruction = ef });
            else
                context.Ui.Line($"[green]wrote[/] {Markup.Escape(Path.GetFullPath(path))}: {count:N0} × {dims}, {distance}, M={mm}, ef_construction={ef}");
        });
        return command;
    }

    private static Option<string?> LabelsOption(string description, bool required = false) => new("--labels") { Description = description, Required = required };

    private static Option<int> ThreadsOption() => new("--threads") { Description = "build threads", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>Reads a vector file; a malformed one is bad usage whose message names the file and line.</summary>
    private static NativeHnsw.Data.VectorSet ReadVectors(Context context, string source) => context.Ui.Step("read", _ =>
    {
        try
        {
            return NativeHnsw.Data.VectorFiles.Read(source);
        }
        catch (NativeHnsw.Data.VectorFileException e)
        {
            throw new CliUsageException(e.Message);
        }
    });

    /// <summary>Inserts <paramref name="vectors"/> under <paramref name="labels"/> (row order), counting progress.</summary>
    private static void Insert(Context context, HnswIndex index, long[] labels, NativeHnsw.Data.VectorSet vectors, string source, int workers)
    {
        var (data, count, dims) = (vectors.Data, vectors.Count, vectors.Dimensions);
        context.Ui.CountedStep("build", progress =>
        {
            // AddRange reports no progress: insert in batches and count each one. A batch is large enough that
            // the threads rarely wait for one another at its end, small enough for a hundred updates a build.
            int batch = BuildBatchSize(count);
            progress.Report(new StepProgress(null, 0, count, "vectors"));
            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                try
                {
                    index.AddRange(labels.AsMemory(start, n), data.AsMemory(start * dims, n * dims), workers);
                }
                catch (ArgumentException e)
                {
                    // AddRange numbers rows within its batch; the offset makes them rows of the file (0-based).
                    throw new CliUsageException(start == 0
                        ? $"'{source}': {e.Message}"
                        : $"'{source}', in rows {start} to {start + n - 1} (rows below count from {start}): {e.Message}");
                }
                progress.Report(new StepProgress(null, start + n, count, "vectors"));
            }
            return 0;
        });
    }

    internal static int BuildBatchSize(int count) => Math.Clamp(count / 100, 1_000, 50_000);

    private static float[] ParseVector(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new CliUsageException($"--vector: '{parts[i]}' is not a number.");
        }
        if (values.Length == 0)
            throw new CliUsageException("--vector is empty.");
        return values;
    }
}

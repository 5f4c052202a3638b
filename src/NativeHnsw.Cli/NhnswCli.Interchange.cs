using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace NativeHnsw.Cli;

public static partial class NhnswCli
{
    private static Command ImportCommand(Context context)
    {
        var source = new Argument<string>("file") { Description = "the hnswlib or FAISS index file" };
        var output = new Argument<string>("output") { Description = "the NativeHnsw index file to write" };
        var from = new Option<string>("--from") { Description = "hnswlib or faiss", Required = true };
        var metric = new Option<string?>("--metric") { Description = "cosine, l2 or ip; required for hnswlib (its file does not record the space); for FAISS, cosine marks an inner-product index over unit rows" };
        var ef = new Option<int>("--ef") { Description = "default search ef of the result (hnswlib only: FAISS's efSearch is carried over)", DefaultValueFactory = _ => 64 };
        var json = JsonOption();
        var command = new Command("import", "Convert an hnswlib or FAISS (IndexHNSWFlat) index into a NativeHnsw index file, link for link: nothing is rebuilt.")
            { source, output, from, metric, ef, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(source)!);
            string library = parsed.GetValue(from)!.ToLowerInvariant();
            string? metricText = parsed.GetValue(metric);
            DistanceMetric? distance = metricText is null ? null : ParseMetric(metricText);
            int defaultEf = Positive("--ef", parsed.GetValue(ef), 1 << 16);
            string target = parsed.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            HnswIndex index;
            try
            {
                index = library switch
                {
                    "hnswlib" => context.Ui.Step("import", _ => HnswIndex.ImportHnswlib(path,
                        distance ?? throw new CliUsageException("hnswlib files do not record their space: give --metric cosine, l2 or ip."), defaultEf)),
                    "faiss" => context.Ui.Step("import", _ => HnswIndex.ImportFaiss(path, distance)),
                    _ => throw new CliUsageException($"--from '{library}' is not a format; use hnswlib or faiss."),
                };
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message);
            }
            using (index)
            {
                var imported = clock.Elapsed;
                context.Ui.Step("save", _ => { index.Save(target); return true; });
                var o = index.Options;
                if (context.Ui.Json)
                {
                    context.Json(new
                    {
                        ok = true,
                        from = library,
                        source = Path.GetFullPath(path),
                        output = Path.GetFullPath(target),
                        count = index.Count,
                        nodeCount = index.NodeCount,
                        o.Dimensions,
                        o.Metric,
                        o.M,
                        o.EfConstruction,
                        o.DefaultEf,
                        importSeconds = imported.TotalSeconds,
                    });
                    return;
                }
                context.Ui.Line(string.Create(CultureInfo.InvariantCulture,
                    $"[green]ok[/] {Markup.Escape(target)}: {index.Count:N0} records ({index.NodeCount:N0} vectors) from {library}, {o.Dimensions} dimensions, {o.Metric}, M {o.M}, default ef {o.DefaultEf}; imported in {imported.TotalMilliseconds:F0} ms"));
            }
        });
        return command;
    }

    private static Command ExportCommand(Context context)
    {
        var index = IndexArgument("the NativeHnsw index file");
        var output = new Argument<string>("output") { Description = "the file to write" };
        var to = new Option<string>("--to") { Description = "hnswlib or faiss", Required = true };
        var json = JsonOption();
        var command = new Command("export", "Write a NativeHnsw index as an hnswlib saveIndex file or a FAISS IndexIDMap(IndexHNSWFlat) file, link for link.")
            { index, output, to, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            string library = parsed.GetValue(to)!.ToLowerInvariant();
            string target = parsed.GetValue(output)!;
            using var opened = HnswIndex.Open(path);
            try
            {
                switch (library)
                {
                    case "hnswlib":
                        context.Ui.Step("export", _ => { opened.ExportHnswlib(target); return true; });
                        break;
                    case "faiss":
                        context.Ui.Step("export", _ => { opened.ExportFaiss(target); return true; });
                        break;
                    default:
                        throw new CliUsageException($"--to '{library}' is not a format; use hnswlib or faiss.");
                }
            }
            catch (NotSupportedException e)
            {
                throw new CliUsageException(e.Message);
            }
            string space = opened.Metric == DistanceMetric.L2 ? "L2" : opened.Metric == DistanceMetric.Cosine ? "inner product over unit rows (normalise queries)" : "inner product";
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, to = library, output = Path.GetFullPath(target), count = opened.Count, nodeCount = opened.NodeCount, space });
                return;
            }
            context.Ui.Line(string.Create(CultureInfo.InvariantCulture,
                $"[green]ok[/] {Markup.Escape(target)}: {library} file, {opened.NodeCount:N0} vectors, {opened.Dimensions} dimensions, space {Markup.Escape(space)}"));
        });
        return command;
    }

    /// <summary>
    /// For <c>info</c>: when the file is an hnswlib or FAISS index, says what it is, suggests <c>nhnsw import</c>, sets
    /// exit code 1 (it is not a NativeHnsw index) and returns true.
    /// </summary>
    private static bool DescribeForeign(Context context, string path)
    {
        if (HnswIndex.IdentifyForeignFile(path) is not { } kind)
            return false;
        string suggestion = kind.Importable
            ? $"nhnsw import --from {kind.Library} {path} OUT.nhnsw{(kind.Library == "hnswlib" ? " --metric cosine|l2|ip" : "")}"
            : "";
        context.ExitCode = Failed;
        if (context.Ui.Json)
        {
            context.Json(new { ok = false, error = "not a NativeHnsw index", foreign = new { kind.Library, kind.Description, kind.Importable }, suggestion });
            return true;
        }
        context.Ui.Line($"{Markup.Escape(path)} is not a NativeHnsw index: it is {Markup.Escape(kind.Description)}.");
        context.Ui.Line(kind.Importable
            ? $"Convert it with: {Markup.Escape(suggestion)}"
            : "nhnsw import reads only FAISS IndexHNSWFlat (bare or in an IndexIDMap) and hnswlib files.");
        return true;
    }
}

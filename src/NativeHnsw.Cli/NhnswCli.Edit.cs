using System.CommandLine;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary>
/// <c>nhnsw add</c> and <c>nhnsw delete</c>: change an index file in place. The file is loaded (every checksum
/// checked), changed in memory and saved atomically over itself with its own options, so a failure at any step,
/// bad input included, leaves the file as it was.
/// </summary>
public static partial class NhnswCli
{
    private static Command AddCommand(Context context)
    {
        var index = IndexArgument("the index file to add to (rewritten atomically)");
        var from = new Option<string>("--from") { Description = "vectors: .fvecs, .npy (float32, 2-D), .csv or .tsv, with the index's dimensions", Required = true };
        var labels = LabelsOption("the vectors' labels, in row order: a range FIRST..LAST or a text file of one integer a line; a label already in the index has its vector replaced", required: true);
        var threads = ThreadsOption();
        var json = JsonOption();
        var command = new Command("add", "Add vectors to an index file under the labels you give (replacing the vector of a label already present).") { index, from, labels, threads, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            string source = ExistingFile(parsed.GetValue(from)!);
            int workers = Positive("--threads", parsed.GetValue(threads), 1024);
            var given = LabelList.Parse(parsed.GetValue(labels)!);
            var vectors = ReadVectors(context, source);
            given.CheckCount(vectors.Count, source);
            using var loaded = context.Ui.Step("load", _ => HnswIndex.Load(path));
            if (vectors.Dimensions != loaded.Dimensions)
                throw new CliUsageException($"'{source}' holds vectors of {vectors.Dimensions} values; '{path}' has {loaded.Dimensions} dimensions.");
            int replaced = given.Labels.Count(loaded.Contains);
            Insert(context, loaded, given.Labels, vectors, source, workers);
            context.Ui.Step("save", _ =>
            {
                loaded.Save(path);
                return 0;
            });
            int added = vectors.Count - replaced;
            if (context.Ui.Json)
                context.Json(new { ok = true, path = Path.GetFullPath(path), added, replaced, count = loaded.Count, nodeCount = loaded.NodeCount });
            else
                context.Ui.Line($"[green]wrote[/] {Markup.Escape(Path.GetFullPath(path))}: {added:N0} added, {replaced:N0} replaced; {loaded.Count:N0} records");
        });
        return command;
    }

    private static Command DeleteCommand(Context context)
    {
        var index = IndexArgument("the index file to delete from (rewritten atomically)");
        var labels = LabelsOption("the labels to delete: a range FIRST..LAST or a text file of one integer a line; each must be in the index", required: true);
        var json = JsonOption();
        var command = new Command("delete", "Delete labels from an index file: they leave every search; their nodes stay as graph waypoints.") { index, labels, json };
        command.SetAction(parsed =>
        {
            string path = ExistingFile(parsed.GetValue(index)!);
            var given = LabelList.Parse(parsed.GetValue(labels)!);
            using var loaded = context.Ui.Step("load", _ => HnswIndex.Load(path));
            int deleted = 0;
            int already = 0;
            for (int i = 0; i < given.Labels.Length; i++)
            {
                long label = given.Labels[i];
                if (loaded.Contains(label))
                {
                    loaded.MarkDeleted(label);
                    deleted++;
                    continue;
                }
                try
                {
                    loaded.MarkDeleted(label); // deleted before: allowed, and nothing changes
                    already++;
                }
                catch (LabelNotFoundException)
                {
                    // Nothing is saved yet: the file keeps every label.
                    throw new CliUsageException($"{given.Where(i)}: label {label} is not in '{path}'; nothing was deleted.");
                }
            }
            context.Ui.Step("save", _ =>
            {
                loaded.Save(path);
                return 0;
            });
            if (context.Ui.Json)
                context.Json(new { ok = true, path = Path.GetFullPath(path), deleted, alreadyDeleted = already, count = loaded.Count });
            else
                context.Ui.Line($"[green]wrote[/] {Markup.Escape(Path.GetFullPath(path))}: {deleted:N0} deleted, {already:N0} already deleted; {loaded.Count:N0} records");
        });
        return command;
    }
}

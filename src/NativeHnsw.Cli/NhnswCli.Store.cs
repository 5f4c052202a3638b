using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NativeHnsw.Backup;
using NativeHnsw.Embeddings;
using NativeHnsw.Storage;
using Spectre.Console;

namespace NativeHnsw.Cli;

public static partial class NhnswCli
{
    /// <summary>Documents written per transaction by <c>store add</c>: bounds the memory of vectors in flight.</summary>
    private const int AddChunk = 512;

    private static Command StoreCommand(Context context)
    {
        var command = new Command("store", "Add text documents to a store's collection and query it by text, embedded locally with all-MiniLM-L6-v2 (384 dimensions).");
        command.Subcommands.Add(StoreAddCommand(context));
        command.Subcommands.Add(StoreQueryCommand(context));
        return command;
    }

    private static Command StoreAddCommand(Context context)
    {
        var store = new Argument<string>("store") { Description = "the store folder (created when absent)" };
        var collection = new Argument<string>("collection") { Description = "the collection (created with all-MiniLM-L6-v2 as its embedding generator, 384 dimensions and cosine distance, when absent)" };
        var documents = new Option<string>("--documents", "-d") { Description = "a JSONL file: one {\"id\": …, \"document\": …, \"metadata\": {…}} per line (metadata optional)", Required = true };
        var upsert = new Option<bool>("--upsert") { Description = "replace records whose id exists (without it, an existing id refuses the whole file)" };
        var reembed = new Option<bool>("--reembed") { Description = "when the collection's vectors came from another embedding model (or were given by the caller), re-embed every stored document with all-MiniLM-L6-v2 first, instead of refusing" };
        var json = JsonOption();
        var command = new Command("add", "Embed the documents of a JSONL file and add them to a collection. Every line is checked before anything is written.") { store, collection, documents, upsert, reembed, json };
        command.SetAction(parsed =>
        {
            string file = ExistingFile(parsed.GetValue(documents)!);
            var lines = ReadDocuments(file);
            bool replace = parsed.GetValue(upsert);
            using var embedder = new MiniLmEmbeddingGenerator();
            using var client = new PersistentClient(parsed.GetValue(store)!);
            // A generator-backed collection: the model's identity is stored with it and checked on every open, and the
            // collection embeds the documents itself. Another model's collection is refused (EmbeddingMismatchException names both).
            var target = client.GetOrCreateCollection(parsed.GetValue(collection)!, embedder, reembed: parsed.GetValue(reembed));
            if (!replace && lines.Count > 0)
            {
                var existing = target.Get(lines.Select(l => l.Id).ToArray(), limit: 5, include: Include.None);
                if (existing.Count > 0)
                    throw new StoreException($"collection '{target.Name}' already has id(s) {string.Join(", ", existing.Select(r => $"'{r.Id}'"))}; nothing was added (use --upsert to replace them).");
            }
            long start = Stopwatch.GetTimestamp();
            context.Ui.Step($"embed and write {lines.Count:N0} documents", _ =>
            {
                foreach (var chunk in lines.Chunk(AddChunk))
                {
                    var ids = chunk.Select(l => l.Id).ToArray();
                    var texts = chunk.Select(l => (string?)l.Document).ToArray();
                    var metadatas = chunk.Select(l => l.Metadata).ToArray();
                    if (replace)
                        target.Upsert(ids, documents: texts, metadatas: metadatas);
                    else
                        target.Add(ids, documents: texts, metadatas: metadatas);
                }
                return 0;
            });
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, collection = target.Name, written = lines.Count, count = target.Count(), seconds });
                return;
            }
            context.Ui.Line($"[green]{(replace ? "upserted" : "added")}[/] {lines.Count:N0} documents to {Markup.Escape(target.Name)} ({target.Count():N0} records now)");
        });
        return command;
    }

    private static Command StoreQueryCommand(Context context)
    {
        var store = new Argument<string>("store") { Description = "the store folder (when another client has it open, it is read through a read-only open)" };
        var collection = new Argument<string>("collection") { Description = "the collection" };
        var text = new Option<string>("--text") { Description = "the query text", Required = true };
        var k = new Option<int>("--k") { Description = "results to return", DefaultValueFactory = _ => 5 };
        var where = new Option<string?>("--where") { Description = "a Chroma-style metadata filter, e.g. '{\"source\": \"a.md\"}'" };
        var whereDocument = new Option<string?>("--where-document") { Description = "a Chroma-style document filter, e.g. '{\"$contains\": \"backup\"}' ($contains, $not_contains, $regex, $not_regex, $and, $or); with --where, both must match" };
        var json = JsonOption();
        var command = new Command("query", "Embed a text and return the nearest documents of a collection, with their distances and metadata.") { store, collection, text, k, where, whereDocument, json };
        command.SetAction(parsed =>
        {
            int kk = Positive("--k", parsed.GetValue(k), 10_000);
            string query = parsed.GetValue(text)!;
            if (string.IsNullOrWhiteSpace(query))
                throw new CliUsageException("--text is empty.");
            var metadataFilter = StoreFilter("--where", parsed.GetValue(where), Where.Parse);
            var documentFilter = StoreFilter("--where-document", parsed.GetValue(whereDocument), Where.ParseDocument);
            var filter = metadataFilter is not null && documentFilter is not null ? Where.And(metadataFilter, documentFilter) : metadataFilter ?? documentFilter;
            // The open that never writes: a store in use by a service is read beside it.
            using var client = StoreBackup.OpenForBackup(parsed.GetValue(store)!, out _);
            using var embedder = new MiniLmEmbeddingGenerator();
            // Refused when the collection's vectors came from another model: their distances to this query would mean nothing.
            var target = client.GetCollection(parsed.GetValue(collection)!, embedder);
            var hits = target.Query(query, kk, filter);
            if (context.Ui.Json)
            {
                context.Json(new { ok = true, collection = target.Name, hits = hits.Select(h => new { h.Id, h.Distance, h.Document, h.Metadata }) });
                return;
            }
            var table = new Table().AddColumn("#").AddColumn("id").AddColumn("distance").AddColumn("document").AddColumn("metadata");
            for (int i = 0; i < hits.Count; i++)
            {
                var h = hits[i];
                string document = h.Document is null ? "" : h.Document.ReplaceLineEndings(" ");
                document = document.Length <= 80 ? document : document[..79] + "…";
                string metadata = h.Metadata is null ? "" : string.Join(", ", h.Metadata.Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}"));
                table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(h.Id), h.Distance.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(document), Markup.Escape(metadata));
            }
            context.Ui.Write(table);
        });
        return command;
    }

    /// <summary>A filter option parsed, or null when it was not given; bad syntax is bad usage naming the option.</summary>
    private static Where? StoreFilter(string option, string? text, Func<string, Where> parse)
    {
        if (text is null)
            return null;
        try
        {
            return parse(text);
        }
        catch (FilterSyntaxException e)
        {
            throw new CliUsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>One line of a <c>store add</c> JSONL file.</summary>
    private sealed record DocumentLine(string Id, string Document, IReadOnlyDictionary<string, object?>? Metadata);

    /// <summary>Every line parsed and checked before the store is touched; a bad line is bad usage naming the file and line.</summary>
    private static List<DocumentLine> ReadDocuments(string file)
    {
        var result = new List<DocumentLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string where = $"{file}:{number}";
            JsonDocument parsed;
            try
            {
                parsed = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new CliUsageException($"{where}: not JSON ({e.Message}).");
            }
            using (parsed)
            {
                var root = parsed.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new CliUsageException($"{where}: a line must be a JSON object with \"id\" and \"document\".");
                string id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String && idElement.GetString() is { Length: > 0 } s
                    ? s
                    : throw new CliUsageException($"{where}: \"id\" must be a non-empty string.");
                string document = root.TryGetProperty("document", out var docElement) && docElement.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(docElement.GetString())
                    ? docElement.GetString()!
                    : throw new CliUsageException($"{where}: \"document\" must be a non-empty string.");
                Dictionary<string, object?>? metadata = null;
                if (root.TryGetProperty("metadata", out var metaElement) && metaElement.ValueKind != JsonValueKind.Null)
                {
                    if (metaElement.ValueKind != JsonValueKind.Object)
                        throw new CliUsageException($"{where}: \"metadata\" must be an object.");
                    metadata = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var property in metaElement.EnumerateObject())
                    {
                        metadata[property.Name] = property.Value.ValueKind switch
                        {
                            JsonValueKind.String => property.Value.GetString(),
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            JsonValueKind.Null => null,
                            JsonValueKind.Number when property.Value.TryGetInt64(out long l) => l,
                            JsonValueKind.Number => property.Value.GetDouble(),
                            _ => throw new CliUsageException($"{where}: metadata \"{property.Name}\" is {property.Value.ValueKind.ToString().ToLowerInvariant()}; values are strings, numbers, bools or null."),
                        };
                    }
                }
                if (seen.TryGetValue(id, out int first))
                    throw new CliUsageException($"{where}: id '{id}' appears again (first on line {first}).");
                seen[id] = number;
                result.Add(new DocumentLine(id, document, metadata));
            }
        }
        return result;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NativeHnsw.Backup;
using NativeHnsw.Embeddings;
using NativeHnsw.Storage;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// The sample's two commands. <c>ingest STORE FOLDER [--collection NAME] [--backup FOLDER]</c>: chunks every .md and
/// .txt file under FOLDER, embeds the chunks of new or changed files, upserts them with their source, and removes the
/// chunks of files that shrank or went away; with <c>--backup</c>, takes one backup of the store afterwards.
/// <c>ask STORE QUESTION [--collection NAME] [--k N]</c>: the N chunks nearest the question, with their sources.
/// </summary>
public static class RagApp
{
    public const string DefaultCollection = "docs";

    private static readonly string[] s_extensions = [".md", ".txt"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var (positional, options) = Parse(args);
            string collection = options.GetValueOrDefault("--collection", DefaultCollection);
            switch (positional)
            {
                case ["ingest", var store, var folder]:
                    Ingest(store, folder, collection, options.GetValueOrDefault("--backup"), stdout);
                    return 0;
                case ["ask", var store, var question]:
                    int k = options.TryGetValue("--k", out var kText) ? int.Parse(kText, CultureInfo.InvariantCulture) : 4;
                    if (k < 1)
                        throw new ArgumentException("--k must be 1 or more.");
                    Ask(store, question, collection, k, stdout);
                    return 0;
                default:
                    stderr.WriteLine("usage: nhnsw-rag ingest STORE FOLDER [--collection NAME] [--backup FOLDER]");
                    stderr.WriteLine("       nhnsw-rag ask STORE QUESTION [--collection NAME] [--k N]");
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or StoreException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static void Ingest(string store, string folder, string collectionName, string? backupFolder, TextWriter output)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: no such folder.");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => (Full: f, Source: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .OrderBy(f => f.Source, StringComparer.Ordinal)
            .ToList();
        using var client = new PersistentClient(store);
        var collection = client.GetOrCreateCollection(collectionName, new CollectionOptions { Dimensions = MiniLmEmbeddingGenerator.Dimensions });
        using var embedder = new MiniLmEmbeddingGenerator();
        int changed = 0, unchanged = 0, chunksWritten = 0, removed = 0;
        foreach (var (full, source) in files)
        {
            string text = File.ReadAllText(full);
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            var first = collection.Get(where: Where.Eq("source", source), limit: 1, include: Include.Metadatas);
            if (first.Count == 1 && first[0].Metadata is { } m && m.TryGetValue("sha256", out var stored) && (string)stored == hash)
            {
                unchanged++;
                continue;
            }
            var chunks = TextChunker.Chunk(text);
            if (chunks.Count > 0)
            {
                var vectors = embedder.Embed(chunks.Select(c => c.Text).ToArray());
                var ids = chunks.Select((_, i) => $"{source}#{i}").ToArray();
                var metadatas = chunks.Select((c, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["source"] = source, ["chunk"] = i, ["start"] = c.Start, ["heading"] = c.Heading, ["sha256"] = hash,
                }).ToArray();
                collection.Upsert(ids, vectors, chunks.Select(c => (string?)c.Text).ToArray(), metadatas);
            }
            // A file that shrank leaves chunks past its new end.
            removed += collection.Delete(where: Where.And(Where.Eq("source", source), Where.Gte("chunk", chunks.Count)));
            changed++;
            chunksWritten += chunks.Count;
        }
        // Files that went away.
        var present = files.Select(f => (object)f.Source).ToArray();
        removed += present.Length == 0
            ? collection.Count() is > 0 ? collection.Delete(where: Where.Ne("source", "")) : 0
            : collection.Delete(where: Where.Nin("source", present));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingested {files.Count} file(s): {changed} new or changed ({chunksWritten} chunks embedded), {unchanged} unchanged, {removed} stale chunk(s) removed; {collection.Count()} chunks in '{collectionName}'"));
        if (backupFolder is not null)
        {
            var manifest = StoreBackup.Backup(client, new LocalFolderTarget(backupFolder));
            output.WriteLine($"backup {manifest.Id} → {backupFolder}");
        }
    }

    public static void Ask(string store, string question, string collectionName, int k, TextWriter output)
    {
        if (string.IsNullOrWhiteSpace(question))
            throw new ArgumentException("the question is empty.");
        using var client = StoreBackup.OpenForBackup(store, out _);
        var collection = client.GetCollection(collectionName);
        using var embedder = new MiniLmEmbeddingGenerator();
        var hits = collection.Query(embedder.Embed([question])[0], k);
        output.WriteLine($"Q: {question}");
        output.WriteLine();
        for (int i = 0; i < hits.Count; i++)
        {
            var hit = hits[i];
            string heading = hit.Metadata?.GetValueOrDefault("heading") is string h ? $" — {h}" : "";
            // A collection not written by ingest may lack the sample's metadata: its ids stand in.
            string label = hit.Metadata?.GetValueOrDefault("source") is string source
                ? string.Create(CultureInfo.InvariantCulture, $"{source}#{hit.Metadata.GetValueOrDefault("chunk")}")
                : hit.Id;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}] {label}{heading}  (distance {hit.Distance:F3})"));
            foreach (string line in (hit.Document ?? "").Split('\n'))
                output.WriteLine("    " + line);
            output.WriteLine();
        }
        var sources = hits.Select(h => h.Metadata?.GetValueOrDefault("source") as string ?? h.Id).Distinct(StringComparer.Ordinal);
        output.WriteLine("Sources: " + string.Join(", ", sources));
    }

    private static (string[] Positional, Dictionary<string, string> Options) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (args[i] is not ("--collection" or "--backup" or "--k"))
                    throw new ArgumentException($"unknown option {args[i]}.");
                if (i + 1 >= args.Length)
                    throw new ArgumentException($"{args[i]} needs a value.");
                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }
        return ([.. positional], options);
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NativeHnsw.Storage;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// What the sample does with its collection, which embeds documents and questions itself (it was created with the
/// embedding generator): keep it in step with a folder of .md/.txt files, and answer a question with the nearest chunks.
/// </summary>
public static class RagCollection
{
    private static readonly string[] s_extensions = [".md", ".txt"];

    /// <summary>
    /// Chunks every .md and .txt file under <paramref name="folder"/>, upserts the chunks of new or changed files (the
    /// collection embeds them) with their source, and removes the chunks of files that shrank or went away.
    /// </summary>
    public static void Ingest(Collection collection, string folder, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(output);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: no such folder.");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => (Full: f, Source: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .OrderBy(f => f.Source, StringComparer.Ordinal)
            .ToList();
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
                var ids = chunks.Select((_, i) => $"{source}#{i}").ToArray();
                var metadatas = chunks.Select((c, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["source"] = source,
                    ["chunk"] = i,
                    ["start"] = c.Start,
                    ["heading"] = c.Heading,
                    ["sha256"] = hash,
                }).ToArray();
                // No embeddings given: the collection embeds the documents with its generator, in one call per file.
                collection.Upsert(ids, documents: chunks.Select(c => (string?)c.Text).ToArray(), metadatas: metadatas);
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
            $"ingested {files.Count} file(s): {changed} new or changed ({chunksWritten} chunks embedded), {unchanged} unchanged, {removed} stale chunk(s) removed; {collection.Count()} chunks in '{collection.Name}'"));
    }

    /// <summary>The <paramref name="k"/> chunks nearest the question (embedded by the collection), with their sources.</summary>
    public static void Ask(Collection collection, string question, int k, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(output);
        if (string.IsNullOrWhiteSpace(question))
            throw new ArgumentException("the question is empty.");
        var hits = collection.Query(question, k);
        var answer = new StringBuilder();
        answer.AppendLine($"Q: {question}").AppendLine();
        for (int i = 0; i < hits.Count; i++)
        {
            var hit = hits[i];
            string heading = hit.Metadata?.GetValueOrDefault("heading") is string h ? $" — {h}" : "";
            // A collection not written by ingest may lack the sample's metadata: its ids stand in.
            string label = hit.Metadata?.GetValueOrDefault("source") is string source
                ? string.Create(CultureInfo.InvariantCulture, $"{source}#{hit.Metadata.GetValueOrDefault("chunk")}")
                : hit.Id;
            answer.AppendLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}] {label}{heading}  (distance {hit.Distance:F3})"));
            foreach (string line in (hit.Document ?? "").Split('\n'))
                answer.AppendLine("    " + line);
            answer.AppendLine();
        }
        var sources = hits.Select(h => h.Metadata?.GetValueOrDefault("source") as string ?? h.Id).Distinct(StringComparer.Ordinal);
        answer.Append("Sources: ").AppendJoin(", ", sources);
        // One write: in `serve`, backup lines from the scheduler's thread do not land inside an answer.
        output.WriteLine(answer.ToString());
    }
}

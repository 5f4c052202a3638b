using System.Globalization;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using NativeHnsw.Embeddings;
using NativeHnsw.Storage;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// The sample's commands. <c>ingest STORE FOLDER</c>: keeps the collection in step with the .md and .txt files under
/// FOLDER (<see cref="RagCollection.Ingest"/>); with <c>--backup</c>, takes one backup of the store afterwards.
/// <c>ask STORE QUESTION</c>: the k chunks nearest the question, with their sources. <c>serve STORE FOLDER --backup
/// BACKUPS</c>: ingests, then answers one question per input line while the backup policy
/// (<see cref="RagBackupSchedule"/>) runs in the same process. The collection is created with the local embedding
/// generator (all-MiniLM-L6-v2), so it embeds the chunks and questions itself and refuses another model's vectors.
/// </summary>
public static class RagApp
{
    public const string DefaultCollection = "docs";

    private static readonly string[] s_options = ["--collection", "--backup", "--k", "--incremental-cron", "--snapshot-cron"];

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
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
                    Ask(store, question, collection, K(options), stdout);
                    return 0;
                case ["serve", var store, var folder]:
                    string backups = options.GetValueOrDefault("--backup") ?? throw new ArgumentException("serve needs --backup FOLDER: where the in-process backup policy writes.");
                    var defaults = new RagBackupSchedule();
                    var schedule = new RagBackupSchedule(
                        options.GetValueOrDefault("--incremental-cron", defaults.IncrementalCron),
                        options.GetValueOrDefault("--snapshot-cron", defaults.SnapshotCron));
                    Serve(store, folder, collection, backups, K(options), schedule, stdin, stdout);
                    return 0;
                default:
                    stderr.WriteLine("usage: nhnsw-rag ingest STORE FOLDER [--collection NAME] [--backup FOLDER]");
                    stderr.WriteLine("       nhnsw-rag ask STORE QUESTION [--collection NAME] [--k N]");
                    stderr.WriteLine("       nhnsw-rag serve STORE FOLDER --backup FOLDER [--collection NAME] [--k N] [--incremental-cron CRON] [--snapshot-cron CRON]");
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or StoreException or UnauthorizedAccessException or PolicyException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static void Ingest(string store, string folder, string collectionName, string? backupFolder, TextWriter output)
    {
        using var embedder = new MiniLmEmbeddingGenerator();
        using var client = new PersistentClient(store);
        RagCollection.Ingest(client.GetOrCreateCollection(collectionName, embedder), folder, output);
        if (backupFolder is not null)
        {
            var manifest = StoreBackup.Backup(client, new LocalFolderTarget(backupFolder));
            output.WriteLine($"backup {manifest.Id} → {backupFolder}");
        }
    }

    public static void Ask(string store, string question, string collectionName, int k, TextWriter output)
    {
        // The open that never writes: a store held by `serve` is read beside it.
        using var client = StoreBackup.OpenForBackup(store, out _);
        using var embedder = new MiniLmEmbeddingGenerator();
        RagCollection.Ask(client.GetCollection(collectionName, embedder), question, k, output);
    }

    /// <summary>Ingests, starts the backup scheduler, answers one question per line of <paramref name="input"/> until an empty line or its end.</summary>
    public static void Serve(string store, string folder, string collectionName, string backups, int k, RagBackupSchedule schedule, TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var server = new RagServer(store, collectionName, backups, schedule, TimeProvider.System, output);
        server.Ingest(folder);
        server.StartAsync().GetAwaiter().GetResult();
        output.WriteLine($"serving '{collectionName}'; backups of {Path.GetFullPath(store)} into {server.BackupFolder}: incremental '{schedule.IncrementalCron}', full '{schedule.SnapshotCron}', prune '{schedule.PruneCron}' (UTC)");
        output.WriteLine("ask a question per line; an empty line or the end of input stops");
        while (input.ReadLine() is { } line && !string.IsNullOrWhiteSpace(line))
            server.Ask(line, k);
        output.WriteLine("stopping: the backup scheduler finishes or abandons its current step, then the store closes");
    }

    private static int K(Dictionary<string, string> options)
    {
        int k = options.TryGetValue("--k", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 4;
        return k >= 1 ? k : throw new ArgumentException("--k must be 1 or more.");
    }

    private static (string[] Positional, Dictionary<string, string> Options) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (!s_options.Contains(args[i], StringComparer.Ordinal))
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

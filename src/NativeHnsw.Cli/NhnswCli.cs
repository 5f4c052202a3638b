using System.CommandLine;
using System.Globalization;
using NativeHnsw.Backup;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary>
/// The <c>nhnsw</c> command line. Exit codes: 0 success; 1 the data or a backup failed a check (the message names
/// which and why; live data untouched); 2 bad usage (unknown option, bad value, missing input file). With
/// <c>--json</c>, stdout holds one JSON document, also for failures (<c>{"ok": false, "error": …}</c>).
/// </summary>
public static partial class NhnswCli
{
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary>Runs the tool in-process; tests pass writers to capture its output.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        bool interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
            console.Profile.Width = 200;
        bool json = args.Contains("--json", StringComparer.Ordinal);
        var ui = new CliUi(console, json);
        var context = new Context(ui, stdout);
        var root = BuildCommands(context);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                    stderr.WriteLine($"error: {error.Message}");
                stderr.WriteLine("Run 'nhnsw --help' for usage.");
                return BadUsage;
            }
            int invoked = parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            return invoked != 0 ? invoked : context.ExitCode;
        }
        catch (CliUsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return BadUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NativeHnsw.Storage.StoreException)
        {
            // BackupException and IndexFormatException are IOExceptions whose messages name the backup or file and the
            // problem; StoreException (a store in use, damaged or newer) names the store.
            stderr.WriteLine($"error: {e.Message}");
            if (json)
                JsonOutput.Write(stdout, new { ok = false, error = e.Message, errorKind = ErrorKind(e), backupId = (e as BackupException)?.BackupId });
            return Failed;
        }
    }

    /// <summary>What failed, for scripts: one word per exception family.</summary>
    private static string ErrorKind(Exception e) => e switch
    {
        BackupIntegrityException => "integrity",
        BackupChainException => "brokenChain",
        BackupSegmentMissingException => "segmentMissing",
        BackupNotFoundException => "notFound",
        BackupTargetException => "targetUnavailable",
        BackupStoreInUseException or NativeHnsw.Storage.StoreLockedException => "storeInUse",
        BackupDestinationException => "destination",
        BackupMismatchException => "mismatch",
        IndexFormatException => "indexDamaged",
        NativeHnsw.Storage.StoreException => "store",
        _ => "io",
    };

    private static RootCommand BuildCommands(Context context)
    {
        var root = new RootCommand("nhnsw: NativeHnsw index files and their backups. Exit codes: 0 ok, 1 a check failed, 2 bad usage.");
        root.Subcommands.Add(InfoCommand(context));
        root.Subcommands.Add(VerifyCommand(context));
        root.Subcommands.Add(QueryCommand(context));
        root.Subcommands.Add(BuildCommand(context));
        root.Subcommands.Add(AddCommand(context));
        root.Subcommands.Add(DeleteCommand(context));
        root.Subcommands.Add(BackupCommand(context));
        root.Subcommands.Add(BackupsCommand(context));
        root.Subcommands.Add(RestoreCommand(context));
        root.Subcommands.Add(ReplicateCommand(context));
        root.Subcommands.Add(DrillCommand(context));
        root.Subcommands.Add(PruneCommand(context));
        root.Subcommands.Add(PolicyCommand(context));
        root.Subcommands.Add(ScheduleCommand(context));
        root.Subcommands.Add(ScrubCommand(context));
        root.Subcommands.Add(SyncCommand(context));
        root.Subcommands.Add(ReportCommand(context));
        root.Subcommands.Add(StoreCommand(context));
        root.Subcommands.Add(ImportCommand(context));
        root.Subcommands.Add(ExportCommand(context));
        return root;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "write one JSON document to stdout instead of text" };

    private static Argument<string> IndexArgument(string description = "an index file") => new("index") { Description = description };

    private static Option<string> TargetOption() => new("--target", "-t") { Description = "the backup folder, or s3://BUCKET/PREFIX (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, endpoint from AWS_ENDPOINT_URL_S3)", Required = true };

    private static string ExistingFile(string path)
    {
        if (Directory.Exists(path))
            throw new CliUsageException($"'{path}' is a folder, not a file.");
        if (!File.Exists(path))
            throw new CliUsageException($"'{path}' does not exist.");
        return path;
    }

    private static int Positive(string option, int value, int max = int.MaxValue) =>
        value >= 1 && value <= max ? value : throw new CliUsageException($"{option} must be between 1 and {max} (got {value}).");

    private static int NonNegative(string option, int value) =>
        value >= 0 ? value : throw new CliUsageException($"{option} must be 0 or more (got {value}).");

    internal static DistanceMetric ParseMetric(string value) => value.ToLowerInvariant() switch
    {
        "cosine" or "cos" => DistanceMetric.Cosine,
        "l2" or "euclidean" => DistanceMetric.L2,
        "ip" or "innerproduct" or "inner-product" or "dot" => DistanceMetric.InnerProduct,
        _ => throw new CliUsageException($"unknown metric '{value}'; use cosine, l2 or ip."),
    };

    internal static DateTimeOffset ParseInstant(string option, string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new CliUsageException($"{option} '{value}' is not a date/time; use ISO 8601, e.g. 2025-03-14T12:00:00Z.");

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Bytes(long n) => n switch
    {
        < 1 << 10 => n.ToString(CultureInfo.InvariantCulture) + " B",
        < 1 << 20 => (n / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        < 1 << 30 => (n / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        _ => (n / 1073741824.0).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
    };

    /// <summary>What every command's action shares: the console, stdout for JSON, and the exit code an action sets.</summary>
    private sealed class Context(CliUi ui, TextWriter stdout)
    {
        public CliUi Ui { get; } = ui;

        public TextWriter Stdout { get; } = stdout;

        public int ExitCode { get; set; }

        public void Json(object value) => JsonOutput.Write(Stdout, value);
    }
}

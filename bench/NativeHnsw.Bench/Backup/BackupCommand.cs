using System.CommandLine;

namespace NativeHnsw.Bench.Backup;

/// <summary>The <c>backup</c> command of the harness: its options, checked, into <see cref="BackupSettings"/>.</summary>
public static class BackupCommand
{
    public static Command Create(string commandLine, Func<BackupSettings, int> run, Action<int> setExitCode)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(setExitCode);
        var count = new Option<int>("--count") { Description = "vectors in the index on day 0", DefaultValueFactory = _ => 100_000 };
        var dims = new Option<int>("--dims") { Description = "dimensions (index and store)", DefaultValueFactory = _ => 128 };
        var days = new Option<int>("--days") { Description = "daily backups after day 0's", DefaultValueFactory = _ => 29 };
        var growth = new Option<double>("--growth") { Description = "per cent of new vectors (index) and of changed records (store) a day", DefaultValueFactory = _ => 1.0 };
        var store = new Option<int>("--store-records") { Description = "records of the store", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "data seed", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output") { Description = "output folder (default artifacts/bench/backup-<timestamp>)" };
        var command = new Command("backup", "What daily backups cost: an index growing by a per cent a day and a store with a per cent of its records changed a day, backed up whole, as chunks and (the store) as incrementals; bytes stored, times, bytes by section, restore times.")
        {
            count, dims, days, growth, store, seed, output,
        };
        command.SetAction(parsed =>
        {
            int d = parsed.GetValue(dims);
            if (d is < 1 or > HnswOptions.MaxDimensions)
                throw new BenchInputException($"--dims {d} is out of range (1 to {HnswOptions.MaxDimensions}).");
            int n = parsed.GetValue(count), nd = parsed.GetValue(days), records = parsed.GetValue(store);
            double g = parsed.GetValue(growth);
            if (n < 100 || nd < 1 || records < 100 || g is <= 0 or > 100)
                throw new BenchInputException("--count and --store-records must be at least 100, --days at least 1, --growth in (0, 100].");
            if (n * Math.Pow(1 + (g / 100), nd) * d > Array.MaxLength)
                throw new BenchInputException("the last day's vectors × dims must fit one array.");
            setExitCode(run(new BackupSettings(n, d, nd, g, records, parsed.GetValue(seed), parsed.GetValue(output), commandLine)));
        });
        return command;
    }
}

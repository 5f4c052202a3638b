using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Backup.Hosting;

namespace NativeHnsw.Backup.Hosting.LeaseChild;

/// <summary>
/// <c>LeaseChild FOLDER HOLDER RUNNERS MILLISECONDS</c>: waits until RUNNERS children are ready, then for MILLISECONDS
/// takes and releases the folder's lease as fast as it can. While it holds the lease it keeps a marker file
/// <c>holding-HOLDER</c> and counts a violation whenever another runner's marker is there too.
/// <c>LeaseChild run POLICY CLOCK MAXJOBS</c>: runs the scheduler (<see cref="SchedulerRun"/>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "run")
            return SchedulerRun.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        string folder = args[0];
        string holder = args[1];
        int runners = int.Parse(args[2], CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(folder, "ready-" + holder), "");
        var wait = Stopwatch.StartNew();
        while (Directory.GetFiles(folder, "ready-*").Length < runners)
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(60))
                return 3;
            Thread.Sleep(1);
        }
        var lease = new FolderLease(folder, holder, TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger.Instance);
        string marker = Path.Combine(folder, "holding-" + holder);
        int acquired = 0, violations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            if (!lease.TryAcquire(out _))
            {
                Thread.SpinWait(500);
                continue;
            }
            acquired++;
            File.WriteAllText(marker, "");
            if (Directory.GetFiles(folder, "holding-*").Length != 1)
                violations++;
            Thread.SpinWait(2000);
            if (Directory.GetFiles(folder, "holding-*").Length != 1)
                violations++;
            File.Delete(marker);
            lease.Release();
            // A window for the other runner between our release and our next try.
            Thread.SpinWait(20_000);
        }
        Console.WriteLine($"{acquired} {violations}");
        return 0;
    }
}

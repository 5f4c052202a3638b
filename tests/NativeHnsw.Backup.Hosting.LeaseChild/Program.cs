using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Backup.Hosting;

namespace NativeHnsw.Backup.Hosting.LeaseChild;

/// <summary>
/// <c>LeaseChild FOLDER HOLDER RUNNERS MILLISECONDS</c>: waits until RUNNERS children are ready, then for MILLISECONDS
/// takes and releases the folder's lease as fast as it can. While it holds the lease it keeps a marker file
/// <c>holding-HOLDER</c> and counts a violation whenever another runner's marker is there too; it prints
/// "ACQUIRED VIOLATIONS REFUSED ERRORS" (errors: attempts the store did not answer).
/// <c>LeaseChild s3 ENDPOINT BUCKET PREFIX FOLDER HOLDER RUNNERS MILLISECONDS</c>: the same race for the
/// <see cref="ObjectLease"/> of an S3 prefix (keys "moto"), with the ready and holding markers in FOLDER.
/// <c>LeaseChild run POLICY CLOCK MAXJOBS</c>: runs the scheduler (<see cref="SchedulerRun"/>).
/// <c>LeaseChild stage FOLDER ID</c>: begins backup ID in the local folder FOLDER, writes one file, prints "staged" and
/// waits to be killed (a writer killed midway, holding no lease).
/// <c>LeaseChild stage-leased FOLDER ID</c>: the same under the folder's lease (holder "killed-runner", one minute),
/// so its staging records the lease.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "run")
            return SchedulerRun.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        if (args.Length > 0 && args[0] is "stage" or "stage-leased")
        {
            WriterLease.Scope? scope = null;
            if (args[0] == "stage-leased")
            {
                var lease = new FolderLease(args[1], "killed-runner", TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger.Instance);
                if (!lease.TryAcquire(out _))
                    return 5;
                scope = WriterLease.Enter(lease.LeaseId, [lease.Target]);
            }
            var writer = new LocalFolderTarget(args[1]).Begin(args[2]);
            writer.Write("part.bin", "data", new MemoryStream(new byte[4096]));
            Console.WriteLine("staged");
            Thread.Sleep(Timeout.Infinite);
            scope?.Dispose();
            return 0;
        }
        if (args.Length > 0 && args[0] == "s3")
        {
            var options = new S3TargetOptions { Endpoint = new Uri(args[1]), Bucket = args[2], Prefix = args[3], AccessKey = "moto", SecretKey = "moto", MaxRetries = 0 };
            using var target = new S3Target(options);
            var lease = ObjectLease.Open(target, args[5], TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger.Instance);
            if (lease is null)
                return 4;
            return Race(lease, args[4], args[5], int.Parse(args[6], CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(int.Parse(args[7], CultureInfo.InvariantCulture)));
        }
        string folder = args[0];
        string holder = args[1];
        var folderLease = new FolderLease(folder, holder, TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger.Instance);
        return Race(folderLease, folder, holder, int.Parse(args[2], CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)));
    }

    private static int Race(ITargetLease lease, string folder, string holder, int runners, TimeSpan duration)
    {
        File.WriteAllText(Path.Combine(folder, "ready-" + holder), "");
        var wait = Stopwatch.StartNew();
        while (Directory.GetFiles(folder, "ready-*").Length < runners)
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(60))
                return 3;
            Thread.Sleep(1);
        }
        string marker = Path.Combine(folder, "holding-" + holder);
        int acquired = 0, violations = 0, refused = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            bool taken;
            try
            {
                taken = lease.TryAcquire(out _);
            }
            catch (IOException)
            {
                // The store did not answer (moto answers 500 now and then under this load): as the scheduler does, the
                // attempt counts as not taken.
                errors++;
                taken = false;
            }
            if (!taken)
            {
                refused++;
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
            try
            {
                lease.Release();
            }
            catch (IOException)
            {
                // Not released: the lease stays ours until it expires, so the other runner still cannot take it.
                errors++;
            }
            // A window for the other runner between our release and our next try.
            Thread.SpinWait(20_000);
        }
        Console.WriteLine($"{acquired} {violations} {refused} {errors}");
        return 0;
    }
}

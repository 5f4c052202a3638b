using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Backup.Hosting.LeaseChild;

/// <summary>
/// The hosted scheduler with the real executor on a fake clock that jumps to each next due run as soon as the
/// scheduler goes idle, so a second of real time covers hours of schedule: the runner the crash test kills at random
/// moments. The fake time is kept in CLOCK (replaced by rename after each jump), so a restarted runner goes on from
/// where the killed one was. Prints <c>started</c>, then <c>begin JOB</c> as each job starts and a line as it ends, so
/// the killer knows what it interrupted; exits after MAXJOBS runs (0: never).
/// </summary>
internal static class SchedulerRun
{
    public static int Run(string policyFile, string clockFile, int maxJobs)
    {
        var policy = BackupPolicy.Load(policyFile);
        var start = File.Exists(clockFile)
            ? DateTimeOffset.Parse(File.ReadAllText(clockFile), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : StartOfHour(DateTimeOffset.UtcNow);
        var time = new FakeTimeProvider(start);
        var idle = Channel.CreateUnbounded<DateTimeOffset?>();
        int completed = 0;
        var options = new BackupSchedulerOptions { PolicyFile = policyFile, LeaseDuration = TimeSpan.FromMinutes(5) };
        using var metrics = new BackupMetrics();
        using var service = new BackupSchedulerService(options, new Announcing(new BackupJobExecutor(time, NullLogger<BackupJobExecutor>.Instance)), metrics, time, NullLogger<BackupSchedulerService>.Instance);
        service.Idle += at => idle.Writer.TryWrite(at);
        service.JobCompleted += (job, result) =>
        {
            Console.WriteLine($"{time.GetUtcNow():O} {job.Name} {result.Outcome}: {result.Message}");
            Interlocked.Increment(ref completed);
        };
        service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Console.WriteLine("started");
        while (maxJobs == 0 || Volatile.Read(ref completed) < maxJobs)
        {
            if (idle.Reader.ReadAsync().AsTask().GetAwaiter().GetResult() is not { } due)
                break;
            time.Advance(due - time.GetUtcNow());
            string temp = clockFile + ".tmp";
            File.WriteAllText(temp, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            File.Move(temp, clockFile, overwrite: true);
        }
        service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        return 0;
    }

    // The first run starts at the real hour, so the file times of what it writes and the fake clock agree on age.
    private static DateTimeOffset StartOfHour(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>The real executor, announcing each job on stdout before it starts.</summary>
    private sealed class Announcing(IBackupJobExecutor inner) : IBackupJobExecutor
    {
        public JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken)
        {
            Console.WriteLine("begin " + job.Name);
            return inner.Run(policy, job, cancellationToken);
        }

        public IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job) => inner.TargetsWritten(policy, job);

        public IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy) => inner.NewestBackups(policy);
    }
}

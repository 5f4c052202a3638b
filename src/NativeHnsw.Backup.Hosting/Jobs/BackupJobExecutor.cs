using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Runs policy jobs against NativeHnsw.Backup. This class and its partials are the only code in the assembly that calls
/// the backup library (targets, catalogs, backup, restore, retention). Each source or backup is done on its own: one
/// failure is reported as an event and the others go on. Backups are stamped with the clock's time, so a fake clock
/// gives backups of fake ages.
/// </summary>
public sealed partial class BackupJobExecutor : IBackupJobExecutor, IDisposable
{
    private const double BytesPerGb = 1e9;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Each target's manifests, parsed once for the life of this executor (a runner): see ManifestCache for why a
    // cached manifest stays right whoever writes the target meanwhile. An hourly incremental otherwise parses every
    // manifest of its target three times (its parent's choice, the quota, the capacity sample).
    private readonly ConcurrentDictionary<string, ManifestCache> _manifests = new(StringComparer.Ordinal);

    // Per (target, store source): the newest backup this executor made and the store's change stamp read before it,
    // so an incremental of a store unchanged since is skipped (JobEventKind.Unchanged). In memory only: after a restart
    // the first incremental is a real one.
    private readonly ConcurrentDictionary<(string Target, string Source), (string BackupId, string Stamp)> _stamps = new();

    // Per store folder: its change stamp, read again only when the store's database may have changed (see StoreChangeWatch).
    private readonly ConcurrentDictionary<string, StoreChangeWatch> _watches = new(StringComparer.Ordinal);

    // Per target: the UTC day of the last capacity sample this executor recorded (see RecordCapacity).
    private readonly ConcurrentDictionary<string, DateTime> _sampled = new(StringComparer.Ordinal);

    public BackupJobExecutor(TimeProvider time, ILogger<BackupJobExecutor> logger)
    {
        _time = time;
        _logger = logger;
    }

    public JobRunResult Run(BackupPolicy policy, JobPolicy job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(job);
        using var targets = new PolicyTargets(policy, _manifests);
        JobRunResult result;
        try
        {
            result = Dispatch(policy, job, targets, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown or a lost lease: another runner may own these targets now. The cache would stay right (see
            // ManifestCache), but a runner that lost its lease starts over from what the targets hold.
            foreach (var t in TargetsWritten(policy, job))
                _manifests.TryRemove(t.Name, out _);
            throw;
        }
        RecordCapacity(policy, job, targets);
        return result;
    }

    /// <summary>How many manifests this executor has read from its targets (its caches' misses): what the caches save shows against the catalog loads.</summary>
    internal long ManifestReads => _manifests.Values.Sum(c => c.Reads);

    private JobRunResult Dispatch(BackupPolicy policy, JobPolicy job, PolicyTargets targets, CancellationToken cancellationToken) =>
        job.Type switch
        {
            JobType.Snapshot => Snapshot(policy, job, targets, cancellationToken),
            JobType.Incremental => Incremental(policy, job, targets, cancellationToken),
            JobType.Prune => Prune(policy, job, targets, cancellationToken),
            JobType.Drill => Drill(policy, job, targets, cancellationToken),
            JobType.Offsite => Offsite(policy, job, targets, cancellationToken),
            JobType.Tiers => MoveTiers(policy, job, targets, cancellationToken),
            JobType.Scrub => Scrub(policy, job, targets, cancellationToken),
            JobType.Report => Report(policy, targets),
            JobType.Replicate => Replicate(policy, job, targets, cancellationToken),
            _ => JobRunResult.Skipped($"job type {job.Type} is unknown to this version"),
        };

    /// <summary>
    /// The day's capacity sample of every target the job may have changed (<see cref="CapacityHistory"/>), so the report's
    /// growth follows what targets really held: recorded by the first such job of each UTC day, after it ran. Growth
    /// is a rate over days and the report adds a measure of now, so one sample a day is all it needs; sampling after
    /// every job that wrote would read and rewrite the history a dozen times a day (each hourly incremental that
    /// found a change) for nothing. A failure here is logged: it never fails the job that ran.
    /// </summary>
    private void RecordCapacity(BackupPolicy policy, JobPolicy job, PolicyTargets targets)
    {
        var now = _time.GetUtcNow();
        foreach (var t in TargetsWritten(policy, job))
        {
            if (_sampled.TryGetValue(t.Name, out var day) && day == now.UtcDateTime.Date)
                continue;
            try
            {
                CapacityHistory.Record(targets[t.Name], targets.Catalog(t.Name), now);
                _sampled[t.Name] = now.UtcDateTime.Date;
            }
            catch (Exception e) when (IsExpected(e))
            {
                _logger.LogCapacityNotRecorded(t.Name, e.Message);
            }
        }
    }

    public IReadOnlyList<TargetPolicy> TargetsWritten(BackupPolicy policy, JobPolicy job)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(job);
        return job.Type switch
        {
            JobType.Snapshot or JobType.Incremental or JobType.Replicate => [.. policy.SourcesOf(job).Select(s => policy.Target(job.Target ?? s.Target)).DistinctBy(t => t.Name)],
            JobType.Offsite => [policy.Target(OffsiteTargetOf(policy, job))],
            // A scrub writes its marks, a report its capacity sample, beside the backups of every target.
            JobType.Prune or JobType.Tiers or JobType.Scrub or JobType.Report => policy.Targets,
            _ => [],
        };
    }

    public IReadOnlyList<TierBackup> NewestBackups(BackupPolicy policy) => NewestByTier(policy);

    public IReadOnlyList<string> SweepAbandoned(BackupPolicy policy, TargetPolicy target, string leaseId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(target);
        WriterLease.CheckId(leaseId);
        using var targets = new PolicyTargets(policy, _manifests);
        return targets[target.Name].SweepAbandoned(leaseId, dryRun: false);
    }

    /// <summary>
    /// Checks each target's quota against what it already stores (the part of policy validation that needs the targets).
    /// </summary>
    /// <exception cref="PolicyException">A quota below what is stored, naming <c>$.targets[i].quotaGb</c>.</exception>
    /// <exception cref="BackupException">A target cannot be listed.</exception>
    public static void CheckQuotas(BackupPolicy policy, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var targets = new PolicyTargets(policy);
        for (int i = 0; i < policy.Targets.Count; i++)
        {
            var t = policy.Targets[i];
            if (t.QuotaGb is not { } quota)
                continue;
            long stored = PolicyCatalog.StoredBytes(targets[t.Name]);
            if (stored > quota * BytesPerGb)
                throw new PolicyException(file, $"$.targets[{i}].quotaGb", $"the quota of {Gb(quota * BytesPerGb)} is below the {Gb(stored)} target '{t.Name}' already stores");
        }
    }

    private static string OffsiteTargetOf(BackupPolicy policy, JobPolicy job) =>
        job.Target ?? policy.Offsite?.Target ?? throw new PolicyException(null, "$.offsite.target", $"offsite job '{job.Name}' has no target");

    private BackupOptions Options(BackupPolicy policy) => new() { CreatedUtc = _time.GetUtcNow(), TempDirectory = policy.Drill.ScratchFolder };

    /// <summary>
    /// Fails the write before it starts when the target would go over its quota. <paramref name="catalog"/>, when the
    /// caller has just loaded the target's, saves loading it again (every manifest is read and parsed).
    /// </summary>
    private static string? OverQuota(TargetPolicy target, IBackupTarget opened, long adding, BackupCatalog? catalog = null)
    {
        if (target.QuotaGb is not { } quota)
            return null;
        long stored = catalog is null ? PolicyCatalog.StoredBytes(opened) : PolicyCatalog.StoredBytes(opened, catalog.Backups);
        return stored + adding > quota * BytesPerGb
            ? $"target '{target.Name}' would go over its quota of {Gb(quota * BytesPerGb)} ({Gb(stored)} stored, about {Gb(adding)} more)"
            : null;
    }

    private static long SizeOf(SourcePolicy source) => source.Type == SourceType.Index
        ? (File.Exists(source.Path) ? new FileInfo(source.Path).Length : 0)
        : (Directory.Exists(source.Path) ? new DirectoryInfo(source.Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0);

    internal static string Gb(double bytes) => (bytes / BytesPerGb).ToString("0.###", CultureInfo.InvariantCulture) + " GB";

    /// <summary>The failures a single source or backup may have; anything else is a bug and fails the whole job.</summary>
    private static bool IsExpected(Exception e) => e is IOException or UnauthorizedAccessException or StoreException or PolicyException or InvalidDataException;

    /// <summary>Closes the connections the change-stamp watches hold on the stores.</summary>
    public void Dispose()
    {
        foreach (var watch in _watches.Values)
        {
            lock (watch)
                watch.Dispose();
        }
        _watches.Clear();
    }

    private static string Summary(IReadOnlyList<JobEvent> events, string verb)
    {
        int ok = events.Count(e => e.Kind is JobEventKind.BackupMade or JobEventKind.DrillPassed or JobEventKind.Removed || (e.Kind == JobEventKind.Scrubbed && e.Failures == 0));
        int failed = events.Count(e => e.Kind is JobEventKind.BackupFailed or JobEventKind.DrillFailed || e.Failures > 0);
        int skipped = events.Count(e => e.Kind == JobEventKind.Skipped);
        int unchanged = events.Count(e => e.Kind == JobEventKind.Unchanged);
        return $"{ok} {verb}, {failed} failed, {skipped} skipped" + (unchanged > 0 ? $", {unchanged} unchanged" : "");
    }
}

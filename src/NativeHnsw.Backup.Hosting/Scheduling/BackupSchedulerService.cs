using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Runs a policy's jobs on their schedules, one job at a time, in the order they fall due. Rules:
/// <list type="bullet">
/// <item>A job's next run is the first slot after the slot its last run stood for (kept in the state file, so it
/// survives restarts). After downtime, or when a run outlasts its interval, every missed slot folds into one run.</item>
/// <item>Jobs run one at a time, so a job never runs twice at once; a job due while another runs starts after it.</item>
/// <item>A job that writes, moves or prunes a target first takes that target's lease (<see cref="FolderLease"/>, or <see cref="ObjectLease"/> on object storage that honours conditional writes),
/// renewed while it runs; when another runner holds it, the run is skipped and logged.</item>
/// <item>On shutdown the running job is asked to stop between steps; targets commit a backup whole or not at all,
/// so nothing partial becomes visible, and an aborted job runs again at the next start.</item>
/// </list>
/// Time comes only from the <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class BackupSchedulerService : BackgroundService
{
    private static readonly TimeSpan s_longestWait = TimeSpan.FromHours(1);

    private readonly BackupSchedulerOptions _options;
    private readonly IBackupJobExecutor _executor;
    private readonly BackupMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BackupSchedulerService> _logger;
    private readonly object _gate = new();

    // Per object-store target: whether it honours conditional writes (probed once; jobs run one at a time).
    private readonly Dictionary<string, bool> _conditionalWrites = new(StringComparer.Ordinal);

    // Targets whose start sweep could not run (another runner held the lease, or the target did not answer): swept by
    // the first job that holds their lease.
    private readonly HashSet<string> _sweepPending = new(StringComparer.Ordinal);
    private SchedulerState _state = new();

    public BackupSchedulerService(BackupSchedulerOptions options, IBackupJobExecutor executor, BackupMetrics metrics, TimeProvider time, ILogger<BackupSchedulerService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _executor = executor;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        RunnerName = options.RunnerName ?? $"nhnsw-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    /// <summary>This runner's id in leases and logs.</summary>
    public string RunnerName { get; }

    /// <summary>Raised each time the loop goes idle, with the instant it next wakes for (null: nothing scheduled). Tests wait on it before moving a fake clock.</summary>
    public event Action<DateTimeOffset?>? Idle;

    /// <summary>Raised after each job run ends and its state is saved.</summary>
    public event Action<JobPolicy, JobRunResult>? JobCompleted;

    /// <summary>A copy of the current state.</summary>
    public SchedulerState State
    {
        get
        {
            lock (_gate)
                return _state with { Jobs = new(_state.Jobs, StringComparer.Ordinal), Sources = new(_state.Sources, StringComparer.Ordinal) };
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // StartAsync returns at the first await: loading state must not hold up the host's start.
        await Task.Yield();
        var policy = _options.ResolvePolicy();
        // The part of validation that needs the targets: a quota below what a target already stores refuses the policy
        // here, as 'nhnsw policy check' does, and stops the host with the field's JSON path.
        await Task.Run(() => BackupJobExecutor.CheckQuotas(policy, _options.PolicyFile), stoppingToken).ConfigureAwait(false);
        var stateFile = new SchedulerStateFile(_options.ResolveStateFile(policy));
        var schedules = policy.Jobs.Select(j => new JobSchedule(j, policy.TimeZone)).ToList();
        var runNow = new HashSet<string>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        var loaded = LoadState(stateFile, schedules, runNow);
        var jobs = new Dictionary<string, JobState>(loaded.Jobs, StringComparer.Ordinal);
        foreach (var s in schedules)
        {
            if (!jobs.ContainsKey(s.Job.Name))
            {
                // A job never seen before starts at its next slot, not with a catch-up run.
                jobs[s.Job.Name] = new JobState { LastSlotUtc = now };
            }
            else if (s.NextAfter(jobs[s.Job.Name].LastSlotUtc) is { } due && due <= now)
            {
                _logger.LogWarning("Job {Job} missed its slot at {Due:o} while the scheduler was down; it runs once now", s.Job.Name, due);
            }
        }
        lock (_gate)
            _state = loaded with { Jobs = jobs };
        await SweepAbandonedAsync(policy).ConfigureAwait(false);
        await SeedNewestBackupsAsync(policy).ConfigureAwait(false);
        _metrics.Bind(() => State.Sources, _time);
        Save(stateFile);
        _logger.LogInformation("Backup scheduler {Runner} started: {Jobs} jobs, state in {StateFile}", RunnerName, schedules.Count, stateFile.Path);

        while (!stoppingToken.IsCancellationRequested)
        {
            now = _time.GetUtcNow();
            JobSchedule? next = null;
            DateTimeOffset? nextDue = null;
            foreach (var s in schedules)
            {
                var due = runNow.Contains(s.Job.Name) ? now : s.NextAfter(JobStateOf(s.Job.Name).LastSlotUtc);
                if (due is { } d && (nextDue is null || d < nextDue))
                {
                    next = s;
                    nextDue = d;
                }
            }
            if (next is not null && nextDue <= now)
            {
                runNow.Remove(next.Job.Name);
                await RunAsync(policy, next, now, stateFile, stoppingToken).ConfigureAwait(false);
                continue;
            }
            var wait = nextDue is { } at ? at - now : s_longestWait;
            // Long waits are cut so a clock that jumps (suspend, NTP) is noticed within the hour.
            var delay = Task.Delay(wait < s_longestWait ? wait : s_longestWait, _time, stoppingToken);
            Idle?.Invoke(nextDue);
            try
            {
                await delay.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _logger.LogInformation("Backup scheduler {Runner} stopped", RunnerName);
    }

    private async Task RunAsync(BackupPolicy policy, JobSchedule schedule, DateTimeOffset now, SchedulerStateFile stateFile, CancellationToken stoppingToken)
    {
        var job = schedule.Job;
        var previous = JobStateOf(job.Name);
        var slot = schedule.LatestSlot(previous.LastSlotUtc, now) ?? now;
        long started = _time.GetTimestamp();
        Update(s => s.Jobs[job.Name] = previous with { LastStartUtc = now });
        _logger.LogInformation("Job {Job} ({Type}) starting for its slot at {Slot:o}", job.Name, job.Type, slot);

        JobRunResult result;
        var leases = new List<ITargetLease>();
        var leased = new List<TargetPolicy>();
        var opened = new List<IBackupTarget>();
        // One id for every lease of this run: what the run writes records it, so a later holder under another id knows
        // this run is over and may sweep what it left (WriterLease).
        string leaseId = Guid.NewGuid().ToString("N");
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        ITimer? renewal = null;
        try
        {
            var blocked = TakeLeases(job.Name, _executor.TargetsWritten(policy, job), leases, opened, leaseId, leased);
            if (blocked is not null)
            {
                result = JobRunResult.Skipped(blocked);
            }
            else
            {
                if (leases.Count > 0)
                {
                    var period = _options.LeaseDuration / 3;
                    renewal = _time.CreateTimer(_ => Renew(leases, abort), null, period, period);
                }
                result = await Task.Run(() =>
                {
                    using var scope = WriterLease.Enter(leaseId, leases.Select(l => l.Target));
                    SweepPending(policy, leased, leaseId);
                    return _executor.Run(policy, job, abort.Token);
                }, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            result = new JobRunResult(JobOutcome.Aborted, stoppingToken.IsCancellationRequested ? "stopped by shutdown" : "stopped: a target lease was lost", []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The boundary of a background service: one failed run is logged and recorded, the schedule goes on.
            _logger.LogError(e, "Job {Job} failed", job.Name);
            result = new JobRunResult(JobOutcome.Failed, e.Message, []);
        }
        finally
        {
            renewal?.Dispose();
            foreach (var lease in leases)
                ReleaseQuietly(lease);
            foreach (var target in opened)
                (target as IDisposable)?.Dispose();
        }

        var elapsed = _time.GetElapsedTime(started);
        var end = _time.GetUtcNow();
        _metrics.Record(job, result, elapsed);
        Update(s =>
        {
            s.Jobs[job.Name] = JobStateOf(s, job.Name) with
            {
                // An aborted run keeps its slot, so the next start runs it again.
                LastSlotUtc = result.Outcome == JobOutcome.Aborted ? previous.LastSlotUtc : slot,
                LastEndUtc = end,
                LastOutcome = result.Outcome,
                LastMessage = result.Message,
            };
            foreach (var e in result.Events)
                s.Sources[e.Source] = Apply(s.Sources.GetValueOrDefault(e.Source) ?? new SourceState(), e, now, end);
        });
        Save(stateFile);
        var level = result.Outcome is JobOutcome.Failed or JobOutcome.Aborted ? LogLevel.Error : LogLevel.Information;
        _logger.Log(level, "Job {Job} {Outcome} in {Elapsed}: {Message}", job.Name, result.Outcome.ToString().ToLowerInvariant(), elapsed, result.Message);
        foreach (var e in result.Events.Where(e => e.Kind is JobEventKind.BackupFailed or JobEventKind.DrillFailed or JobEventKind.Skipped))
            _logger.Log(e.Kind == JobEventKind.Skipped ? LogLevel.Information : LogLevel.Error, "Job {Job}, source {Source}: {Kind}: {Message}", job.Name, e.Source, e.Kind, e.Message);
        JobCompleted?.Invoke(job, result);
    }

    /// <summary>
    /// Before the first job, removes from each target what writers killed midway left there (a kill -9 of an earlier
    /// runner, or of a manual command), under the target's lease so no other runner's job changes it meanwhile. Only
    /// leftovers provably done go (see <see cref="IBackupTarget.SweepAbandoned"/>): written under another lease, which
    /// is over since this runner holds the target's, or on a local folder by a process that is gone; writers without a
    /// lease keep their work. A target whose lease another runner holds, or that cannot be reached, is swept by the
    /// first job that holds its lease; an object store that ignores conditional writes has no lease and is left to its
    /// prune's age rule.
    /// </summary>
    private async Task SweepAbandonedAsync(BackupPolicy policy)
    {
        foreach (var target in policy.Targets.Where(t => t.Type != TargetType.Local || Directory.Exists(t.Path)).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var leases = new List<ITargetLease>();
            var opened = new List<IBackupTarget>();
            string leaseId = Guid.NewGuid().ToString("N");
            try
            {
                if (TakeLeases("start sweep", [target], leases, opened, leaseId) is not null)
                {
                    lock (_sweepPending)
                        _sweepPending.Add(target.Name);
                    continue;
                }
                if (leases.Count == 0)
                    continue;
                await Task.Run(() =>
                {
                    using var scope = WriterLease.Enter(leaseId, leases.Select(l => l.Target));
                    Sweep(policy, target, leaseId);
                }).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PolicyException)
            {
                lock (_sweepPending)
                    _sweepPending.Add(target.Name);
                _logger.LogWarning(e, "Target {Target}: leftovers of killed writers not swept at start; the first job holding its lease sweeps them", target.Name);
            }
            finally
            {
                ReleaseAll(leases);
                foreach (var t in opened)
                    (t as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The start sweep of each target in <paramref name="leased"/> that missed it, now that this run holds its lease.</summary>
    private void SweepPending(BackupPolicy policy, List<TargetPolicy> leased, string leaseId)
    {
        foreach (var target in leased)
        {
            lock (_sweepPending)
            {
                if (!_sweepPending.Contains(target.Name))
                    continue;
            }
            try
            {
                Sweep(policy, target, leaseId);
                lock (_sweepPending)
                    _sweepPending.Remove(target.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PolicyException)
            {
                _logger.LogWarning(e, "Target {Target}: leftovers of killed writers not swept; the next job holding its lease tries again", target.Name);
            }
        }
    }

    private void Sweep(BackupPolicy policy, TargetPolicy target, string leaseId)
    {
        var swept = _executor.SweepAbandoned(policy, target, leaseId);
        if (swept.Count > 0)
            _logger.LogWarning("Target {Target}: removed {Count} leftover(s) of writers killed midway: {Leftovers}", target.Name, swept.Count, string.Join(", ", swept));
    }

    private async Task SeedNewestBackupsAsync(BackupPolicy policy)
    {
        IReadOnlyList<TierBackup> newest;
        try
        {
            newest = await Task.Run(() => _executor.NewestBackups(policy)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PolicyException)
        {
            // A target that cannot be listed now fails its jobs later, loudly; the gauges start from the state file.
            _logger.LogWarning(e, "Cannot read the targets' catalogs at start; the RPO gauge starts from the state file");
            return;
        }
        var now = _time.GetUtcNow();
        Update(s =>
        {
            foreach (var b in newest)
            {
                var e = new JobEvent(b.Source, JobEventKind.BackupMade, b.BackupId, BackupCreatedUtc: b.CreatedUtc, Target: b.Target);
                s.Sources[b.Source] = Apply(s.Sources.GetValueOrDefault(b.Source) ?? new SourceState(), e, now, now);
            }
        });
    }

    /// <param name="started">When the run began: an unchanged incremental read the store's stamp after it, so the backup it names holds the store as of then.</param>
    /// <param name="now">When the run ended.</param>
    private static SourceState Apply(SourceState s, JobEvent e, DateTimeOffset started, DateTimeOffset now) => e.Kind switch
    {
        JobEventKind.BackupMade when e.BackupCreatedUtc is { } t && (s.NewestBackupUtc is null || t > s.NewestBackupUtc) =>
            s with { NewestBackupId = e.BackupId, NewestBackupUtc = t },
        JobEventKind.Unchanged when e.BackupCreatedUtc is { } t => HeldAsOf(s, e.BackupId, t, started),
        JobEventKind.DrillPassed or JobEventKind.DrillFailed =>
            s with { LastDrillUtc = now, LastDrillPassed = e.Kind == JobEventKind.DrillPassed, LastDrillRto = e.Elapsed, LastDrillMessage = e.Message },
        JobEventKind.Scrubbed => s with { LastScrubUtc = now, LastScrubFailures = e.Failures },
        _ => s,
    };

    /// <summary>
    /// An incremental found the source unchanged since <paramref name="backupId"/>: the source is held as of the run's start.
    /// That backup may be older than the newest recorded (one made meanwhile by another runner holds the same content)
    /// or, with a state file lost, newer.
    /// </summary>
    private static SourceState HeldAsOf(SourceState s, string? backupId, DateTimeOffset created, DateTimeOffset started)
    {
        var newest = s.NewestBackupUtc is null || created > s.NewestBackupUtc ? s with { NewestBackupId = backupId, NewestBackupUtc = created } : s;
        return newest with { UnchangedAtUtc = s.UnchangedAtUtc is { } u && u > started ? u : started };
    }

    /// <param name="what">The job (or step) the leases are for, in log lines.</param>
    /// <param name="leaseId">The id every lease is taken under.</param>
    /// <param name="leased">When given, receives the targets whose lease was taken (not those that have none).</param>
    /// <returns>Null when every lease the job needs is held; else why the run is skipped.</returns>
    private string? TakeLeases(string what, IReadOnlyList<TargetPolicy> targets, List<ITargetLease> taken, List<IBackupTarget> opened, string leaseId, List<TargetPolicy>? leased = null)
    {
        foreach (var target in targets.DistinctBy(t => t.Name).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            ITargetLease? lease;
            try
            {
                lease = LeaseOf(target, opened, leaseId);
            }
            catch (Exception e) when (e is IOException or PolicyException)
            {
                ReleaseAll(taken);
                leased?.Clear();
                string why = $"the lease of target '{target.Name}' cannot be read: {e.Message}";
                _logger.LogWarning("Job {Job} skipped: {Reason}", what, why);
                return why;
            }
            if (lease is null)
                continue;
            bool acquired;
            LeaseRecord? holder;
            try
            {
                acquired = lease.TryAcquire(out holder);
            }
            catch (IOException e)
            {
                acquired = false;
                holder = null;
                _logger.LogWarning(e, "Lease of target {Target} could not be taken", target.Name);
            }
            if (!acquired)
            {
                ReleaseAll(taken);
                leased?.Clear();
                string reason = holder is null
                    ? $"the lease of target '{target.Name}' is being changed by another runner"
                    : $"target '{target.Name}' is leased by another runner: {holder}";
                _logger.LogWarning("Job {Job} skipped: {Reason}", what, reason);
                return reason;
            }
            taken.Add(lease);
            leased?.Add(target);
        }
        return null;
    }

    /// <summary>
    /// A local folder's lease file, or an object store's conditional-write lease; null (with a warning) for a store that
    /// ignores conditional writes, probed once per target and remembered.
    /// </summary>
    private ITargetLease? LeaseOf(TargetPolicy target, List<IBackupTarget> opened, string leaseId)
    {
        if (target.Type == TargetType.Local)
            return new FolderLease(target.Path!, RunnerName, _time, _options.LeaseDuration, _logger, leaseId);
        var open = PolicyTargets.Open(target);
        opened.Add(open);
        if (!_conditionalWrites.TryGetValue(target.Name, out bool honoured))
            _conditionalWrites[target.Name] = honoured = open is IConditionalSidecars c && c.ProbeConditionalWrites();
        if (!honoured)
        {
            _logger.LogWarning("Target {Target} ignores conditional writes, so it has no lease: only one runner may use it", target.Name);
            return null;
        }
        return new ObjectLease(open, RunnerName, _time, _options.LeaseDuration, _logger, leaseId);
    }

    private void ReleaseAll(List<ITargetLease> taken)
    {
        foreach (var l in taken)
            ReleaseQuietly(l);
        taken.Clear();
    }

    /// <summary>Releases a lease; one that cannot be written now simply expires, so a failure here is only logged.</summary>
    private void ReleaseQuietly(ITargetLease lease)
    {
        try
        {
            lease.Release();
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Lease held by {Holder} could not be released; it expires by itself", lease.Holder);
        }
    }

    private void Renew(List<ITargetLease> leases, CancellationTokenSource abort)
    {
        foreach (var lease in leases)
        {
            bool ours;
            try
            {
                ours = lease.Renew();
            }
            catch (IOException e)
            {
                // The store did not answer: the lease stands until its expiry, and the next renewal tries again.
                _logger.LogWarning(e, "Lease held by {Holder} could not be renewed now", lease.Holder);
                continue;
            }
            if (!ours)
            {
                // Another runner took the target over: stop before the next step writes to it.
                abort.Cancel();
                return;
            }
        }
    }

    private SchedulerState LoadState(SchedulerStateFile file, List<JobSchedule> schedules, HashSet<string> runNow)
    {
        try
        {
            return file.Read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Without its state the scheduler cannot know what it missed: keep the bad file for inspection and run every job once.
            string aside = file.Path + ".unreadable-" + _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            _logger.LogError(e, "Scheduler state {StateFile} is unreadable; kept as {Aside}; every job runs once now", file.Path, aside);
            if (File.Exists(file.Path))
                File.Move(file.Path, aside, overwrite: true);
            foreach (var s in schedules)
                runNow.Add(s.Job.Name);
            return new SchedulerState();
        }
    }

    private void Save(SchedulerStateFile file)
    {
        try
        {
            file.Write(State);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Jobs go on; a restart before the next good save may repeat a run, which is harmless.
            _logger.LogError(e, "Cannot save scheduler state to {StateFile}", file.Path);
        }
    }

    private JobState JobStateOf(string job)
    {
        lock (_gate)
            return JobStateOf(_state, job);
    }

    private static JobState JobStateOf(SchedulerState state, string job) => state.Jobs.GetValueOrDefault(job) ?? new JobState();

    private void Update(Action<SchedulerState> change)
    {
        // Copy on write: the gauges and State read a snapshot from other threads.
        lock (_gate)
        {
            var copy = _state with { Jobs = new(_state.Jobs, StringComparer.Ordinal), Sources = new(_state.Sources, StringComparer.Ordinal) };
            change(copy);
            _state = copy;
        }
    }
}

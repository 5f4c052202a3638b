using Microsoft.Extensions.Logging;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary>
/// The leases a manual command that writes, moves or prunes backups (<c>backup</c>, <c>sync</c>, <c>prune</c>,
/// <c>replicate</c>) holds on the targets it changes, as a runner's job does, so it never works beside a runner's job
/// there. Held under one id, which the command's writes record (<see cref="WriterLease"/>) while they are held: a
/// command killed midway leaves staging that the next holder of the target's lease sweeps at once. Renewed every third
/// of their life while held. An object store that ignores conditional writes has no lease: the command writes there
/// under none, and what it leaves goes by the prune's age rule.
/// </summary>
/// <remarks>
/// A one-shot command holds them from <see cref="Take"/> to <see cref="Dispose"/>. A command that works in rounds
/// (<c>replicate</c>) takes them for each round (<see cref="ForRounds"/>, <see cref="Round"/>) and gives them up between
/// rounds, as a runner takes its leases per job run, so the runner's jobs on those targets run between its rounds
/// instead of waiting for it to exit.
/// </remarks>
internal sealed class ManualLeases : IDisposable
{
    private static readonly TimeSpan s_duration = TimeSpan.FromMinutes(5);

    private readonly string _command;
    private readonly string _holder;
    private readonly IReadOnlyList<IBackupTarget> _targets;
    private readonly string _leaseId = Guid.NewGuid().ToString("N");

    /// <summary>How a refused round's message ends; null for a one-shot command's leases (<see cref="Take"/>).</summary>
    private readonly string? _refused;
    private readonly List<ITargetLease> _held = [];
    /// <summary>Keeps the renewal timer's thread off <see cref="_held"/> while a round gives its leases up.</summary>
    private readonly Lock _gate = new();

    /// <summary>The targets' leases, opened (an object store's conditional writes probed) at the first taking; null before.</summary>
    private List<ITargetLease>? _leases;
    private WriterLease.Scope? _scope;
    private ITimer? _renewal;

    /// <summary>Where a lease's warnings go (a dead or expired holder's lease taken over): the command's own output.</summary>
    private readonly ILogger _notices;

    private ManualLeases(string command, IEnumerable<IBackupTarget> targets, string? refused, CliUi ui)
    {
        _command = command;
        _refused = refused;
        _notices = new NoticeLogger(ui);
        _holder = $"nhnsw-{command}-{Environment.MachineName}-{Environment.ProcessId}";
        _targets = [.. targets];
    }

    /// <summary>Takes the lease of every target in <paramref name="targets"/>, or none, until disposed.</summary>
    /// <param name="command">The command, in the holder's name (<c>nhnsw-COMMAND-HOST-PID</c>).</param>
    /// <exception cref="BackupTargetException">Another runner or command holds a target's lease (nothing was done), or it cannot be read.</exception>
    /// <param name="ui">Where a takeover of another holder's lease (expired, or its process ended) is noted.</param>
    public static ManualLeases Take(string command, IEnumerable<IBackupTarget> targets, CliUi ui)
    {
        var taken = new ManualLeases(command, targets, refused: null, ui);
        try
        {
            taken.Acquire($"nothing was done, run '{command}' again later");
            return taken;
        }
        catch
        {
            taken.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The leases of <paramref name="targets"/> for a command that works in rounds, taken by each <see cref="Round"/>;
    /// nothing is read or taken yet (a target down at the start fails the first round, not the command).
    /// </summary>
    /// <param name="command">The command, in the holder's name (<c>nhnsw-COMMAND-HOST-PID</c>), the same for every round.</param>
    /// <param name="refused">How a refused round's message ends: what became of its work (it did nothing on the targets).</param>
    /// <param name="ui">Where a takeover of another holder's lease (expired, or its process ended) is noted.</param>
    public static ManualLeases ForRounds(string command, IEnumerable<IBackupTarget> targets, string refused, CliUi ui)
    {
        ArgumentException.ThrowIfNullOrEmpty(refused);
        return new(command, targets, refused, ui);
    }

    /// <summary>Takes the lease of every target for one round, or none; disposing the result gives them up.</summary>
    /// <exception cref="BackupTargetException">Another runner or command holds a target's lease (nothing is held: the round must do nothing there), or it cannot be read or written.</exception>
    /// <exception cref="InvalidOperationException">The previous round's leases are still held.</exception>
    public IDisposable Round()
    {
        if (_held.Count > 0 || _scope is not null)
            throw new InvalidOperationException($"the leases of '{_command}' are already held: end the round before starting another");
        Acquire(_refused ?? throw new InvalidOperationException("leases taken by Take are held until disposed, not by round"));
        return new RoundScope(this);
    }

    /// <param name="refused">What the refusal message ends with: what became of the command's work.</param>
    private void Acquire(string refused)
    {
        try
        {
            _leases ??= [.. _targets.Select(Open).OfType<ITargetLease>()];
            foreach (var lease in _leases)
            {
                if (!lease.TryAcquire(out var current))
                    throw new BackupTargetException(null, $"{lease.Target} is leased by {(current is null ? "another runner" : current.ToString())}: a runner's job or another command is at work there; {refused}");
                _held.Add(lease);
            }
        }
        catch (IOException e) when (e is not BackupException)
        {
            Release();
            throw new BackupTargetException(null, $"the lease of a target of '{_command}' cannot be taken: {e.Message}; {refused}", e);
        }
        catch
        {
            Release();
            throw;
        }
        _scope = WriterLease.Enter(_leaseId, _held.Select(l => l.Target));
        if (_held.Count > 0)
            _renewal = TimeProvider.System.CreateTimer(_ => Renew(), null, s_duration / 3, s_duration / 3);
    }

    private ITargetLease? Open(IBackupTarget target)
    {
        var inner = target is DisposableTarget d ? d.Inner : target;
        return inner is LocalFolderTarget local
            ? new FolderLease(local.Root, _holder, TimeProvider.System, s_duration, _notices, _leaseId)
            : ObjectLease.Open(inner, _holder, TimeProvider.System, s_duration, _notices, _leaseId);
    }

    private void Renew()
    {
        lock (_gate)
        {
            foreach (var lease in _held)
            {
                try
                {
                    lease.Renew();
                }
                catch (IOException)
                {
                    // Not renewed now: the lease stands until its expiry, and the next renewal tries again.
                }
            }
        }
    }

    /// <summary>Gives up every lease held (a round's, or a one-shot command's).</summary>
    private void Release()
    {
        _renewal?.Dispose();
        _renewal = null;
        lock (_gate)
        {
            foreach (var lease in _held)
            {
                try
                {
                    lease.Release();
                }
                catch (IOException)
                {
                    // Unreleased, it expires by itself.
                }
            }
            _held.Clear();
        }
        _scope?.Dispose();
        _scope = null;
    }

    public void Dispose() => Release();

    /// <summary>A lease's warnings and errors as note lines of the command's output (none under <c>--json</c>).</summary>
    private sealed class NoticeLogger(CliUi ui) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                ui.Line($"[yellow]note:[/] {Markup.Escape(formatter(state, exception))}");
        }
    }

    /// <summary>One round's hold on the leases; disposing it twice gives them up once.</summary>
    private sealed class RoundScope(ManualLeases leases) : IDisposable
    {
        private ManualLeases? _leases = leases;

        public void Dispose()
        {
            _leases?.Release();
            _leases = null;
        }
    }
}
